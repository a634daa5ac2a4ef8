//! What the document says beyond the derives: the bodies declared as another's fields with a few
//! of their own, the rules every body and query shares (a blank text clears, no text holds U+0000,
//! a PATCH body may be left out, form keys are bracket paths), and the links from each create to
//! the operations on what it created (schemathesis' stateful phase follows them).

use std::collections::{BTreeMap, BTreeSet};

use utoipa::openapi::encoding::Encoding;
use utoipa::openapi::link::Link;
use utoipa::openapi::path::{Operation, ParameterIn, ParameterStyle};
use utoipa::openapi::schema::{AnyOf, ArrayItems, Object, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{Components, OpenApi as Document, PathItem, RefOr, Required};
use utoipa::Modify;

pub(super) const FORM: &str = "application/x-www-form-urlencoded";
/// A form's top-level key is a name: `[` would start a bracket path.
const FORM_TOP_KEY: &str = r"^[^\[]+$";
/// A key inside brackets ends at the first `]`.
const FORM_NESTED_KEY: &str = r"^[^\]]*$";
/// What a text field may also be: blank (`""`, or only whitespace), which clears it.
const BLANK: &str = r"^\s*$";

/// Runs after the routes are complete (operation ids unique, PUT twins and statuses copied).
pub(super) struct Refinements;

impl Modify for Refinements {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        complete_variants(components);
        blank_clears(components);
        for item in openapi.paths.paths.values_mut() {
            for op in operations(item) {
                optional_patch_body(op);
                blank_query_values(op);
            }
        }
        no_nul_text(openapi);
        form_bodies(openapi);
        links(openapi);
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.post,
        &mut item.put,
        &mut item.patch,
        &mut item.delete,
    ]
    .into_iter()
    .flatten()
}

fn operation_pairs(item: &PathItem) -> impl Iterator<Item = (&'static str, &Operation)> {
    [
        ("get", &item.get),
        ("put", &item.put),
        ("patch", &item.patch),
        ("delete", &item.delete),
        ("post", &item.post),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.as_ref().map(|op| (method, op)))
}

/// Each of `schemas::variants()` gets the fields of the body it varies, after its own.
fn complete_variants(components: &mut Components) {
    for (variant_name, base_name) in super::schemas::variants() {
        let Some(RefOr::T(Schema::Object(base))) = components.schemas.get(&base_name).cloned()
        else {
            continue;
        };
        let Some(RefOr::T(Schema::Object(variant))) = components.schemas.get_mut(&variant_name)
        else {
            continue;
        };
        let own = std::mem::take(&mut variant.properties);
        let mut properties = own.clone();
        properties.retain(|key, _| !base.properties.contains_key(key));
        for (key, field) in base.properties {
            let field = own.get(&key).cloned().unwrap_or(field);
            properties.insert(key, field);
        }
        variant.properties = properties;
        for key in base.required {
            if !variant.required.contains(&key) {
                variant.required.push(key);
            }
        }
        if variant.example.is_none() {
            variant.example = base.example;
        }
    }
}

/// A nullable text field with a format or a pattern also takes a blank string: the server reads
/// `""` (and whitespace) as `null`, which clears the field.
fn blank_clears(components: &mut Components) {
    for schema in components.schemas.values_mut() {
        let RefOr::T(Schema::Object(object)) = schema else {
            continue;
        };
        for property in object.properties.values_mut() {
            let RefOr::T(Schema::Object(field)) = property else {
                continue;
            };
            let nullable_text = matches!(&field.schema_type,
                SchemaType::Array(types) if types.contains(&Type::String) && types.contains(&Type::Null));
            if nullable_text && (field.format.is_some() || field.pattern.is_some()) {
                *property = RefOr::T(or_blank(field.clone(), true));
            }
        }
    }
}

/// `schema` (made not nullable), or a blank string, or (when `nullable`) `null`.
fn or_blank(mut schema: Object, nullable: bool) -> Schema {
    schema.schema_type = without_null(&schema.schema_type);
    let description = schema.description.take();
    let mut any = AnyOf::new();
    any.items.push(RefOr::T(Schema::Object(schema)));
    any.items.push(RefOr::T(Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(BLANK))
            .build(),
    )));
    if nullable {
        any.items.push(RefOr::T(Schema::Object(
            ObjectBuilder::new().schema_type(Type::Null).build(),
        )));
    }
    any.description = description;
    Schema::AnyOf(any)
}

fn without_null(types: &SchemaType) -> SchemaType {
    match types {
        SchemaType::Array(types) => {
            let kept: Vec<Type> = types
                .iter()
                .filter(|t| **t != Type::Null)
                .cloned()
                .collect();
            match kept.as_slice() {
                [one] => SchemaType::Type(one.clone()),
                _ => SchemaType::Array(kept),
            }
        }
        other => other.clone(),
    }
}

/// What the server makes of any text it reads: U+0000 is refused (422; PostgreSQL can't store
/// it). So every string of a request body or a parameter says so, with a pattern of its own or
/// its pattern narrowed (`without_nul`). Fields the document does not name are not described,
/// and the server ignores them, U+0000 or not.
fn no_nul_text(openapi: &mut Document) {
    let mut pending: Vec<String> = Vec::new();
    for item in openapi.paths.paths.values_mut() {
        for op in operations(item) {
            for content in op
                .request_body
                .iter_mut()
                .flat_map(|b| b.content.values_mut())
            {
                if let Some(schema) = content.schema.as_mut() {
                    forbid_nul_in(schema, &mut pending);
                }
            }
            for parameter in op.parameters.iter_mut().flatten() {
                if let Some(schema) = parameter.schema.as_mut() {
                    forbid_nul_in(schema, &mut pending);
                }
            }
        }
    }
    let components = openapi.components.get_or_insert_with(Default::default);
    let mut done = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if done.insert(name.clone()) {
            if let Some(RefOr::T(schema)) = components.schemas.get_mut(&name) {
                forbid_nul(schema, &mut pending);
            }
        }
    }
}

/// `forbid_nul` on an inline schema; a reference's name goes to `pending`.
fn forbid_nul_in(schema: &mut RefOr<Schema>, pending: &mut Vec<String>) {
    match schema {
        RefOr::T(schema) => forbid_nul(schema, pending),
        RefOr::Ref(reference) => pending.push(
            reference
                .ref_location
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string(),
        ),
    }
}

/// Every string in `schema` (enums aside) gets a pattern that excludes U+0000.
fn forbid_nul(schema: &mut Schema, pending: &mut Vec<String>) {
    match schema {
        Schema::Object(object) => {
            let text = match &object.schema_type {
                SchemaType::Type(t) => *t == Type::String,
                SchemaType::Array(types) => types.contains(&Type::String),
                _ => false,
            };
            if text && object.enum_values.is_none() {
                object.pattern = Some(match object.pattern.take() {
                    Some(pattern) => without_nul(&pattern),
                    None => NO_NUL.to_string(),
                });
            }
            for property in object.properties.values_mut() {
                forbid_nul_in(property, pending);
            }
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                forbid_nul_in(items, pending);
            }
        }
        Schema::AnyOf(any) => any.items.iter_mut().for_each(|s| forbid_nul_in(s, pending)),
        Schema::OneOf(one) => one.items.iter_mut().for_each(|s| forbid_nul_in(s, pending)),
        Schema::AllOf(all) => all.items.iter_mut().for_each(|s| forbid_nul_in(s, pending)),
        _ => {}
    }
}

/// Any text without U+0000.
const NO_NUL: &str = r"^[^\x00]*$";
/// What an open end of a narrowed pattern takes.
const ANY_NO_NUL: &str = r"[^\x00]*";

/// `pattern` (ECMA-262, matched anywhere in the text as JSON Schema reads it) narrowed to texts
/// without U+0000. Rewritten where it can be, so that generators still build matching strings
/// directly rather than drawing and discarding: each branch of a top-level `|` is anchored at
/// both ends (an open end takes any text without U+0000), and every atom that could match U+0000
/// no longer does (`\S` becomes `[^\s\x00]`, `[^…]` gets `\x00`, `[\s\S]` becomes `[^\x00]`, `.`
/// excludes it). A pattern with anything else (an escape naming a code point, a lookaround, a
/// back-reference, `\P{…}`) is kept whole behind a lookahead instead.
fn without_nul(pattern: &str) -> String {
    nul_free(pattern).unwrap_or_else(|| format!(r"^(?![\s\S]*\x00)[\s\S]*?(?:{pattern})"))
}

enum Piece {
    Atom(String),
    Start,
    End,
}

fn nul_free(pattern: &str) -> Option<String> {
    let mut branches: Vec<Vec<Piece>> = vec![Vec::new()];
    let mut depth = 0usize;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        let piece = match c {
            '\0' => return None,
            '\\' => Piece::Atom(escape(chars.next()?)?),
            '[' => Piece::Atom(class(&mut chars)?),
            '.' => Piece::Atom(r"[^\n\r\u2028\u2029\x00]".to_string()),
            '(' => {
                depth += 1;
                if chars.next_if_eq(&'?').is_some() {
                    chars.next_if_eq(&':')?;
                    Piece::Atom("(?:".to_string())
                } else {
                    Piece::Atom("(".to_string())
                }
            }
            ')' => {
                depth = depth.checked_sub(1)?;
                Piece::Atom(")".to_string())
            }
            '|' if depth == 0 => {
                branches.push(Vec::new());
                continue;
            }
            '^' => Piece::Start,
            '$' => Piece::End,
            other => Piece::Atom(other.to_string()),
        };
        branches.last_mut()?.push(piece);
    }
    if depth != 0 {
        return None;
    }
    let branches: Vec<String> = branches
        .into_iter()
        .map(|mut pieces| {
            let start = matches!(pieces.first(), Some(Piece::Start));
            if start {
                pieces.remove(0);
            }
            let end = matches!(pieces.last(), Some(Piece::End));
            if end {
                pieces.pop();
            }
            let body: String = pieces
                .iter()
                .map(|piece| match piece {
                    Piece::Atom(atom) => atom.as_str(),
                    Piece::Start => "^",
                    Piece::End => "$",
                })
                .collect();
            match (start, body.is_empty(), end) {
                (true, _, true) => body,
                (_, true, _) => ANY_NO_NUL.to_string(),
                (true, false, false) => format!("{body}{ANY_NO_NUL}"),
                (false, false, true) => format!("{ANY_NO_NUL}{body}"),
                (false, false, false) => format!("{ANY_NO_NUL}{body}{ANY_NO_NUL}"),
            }
        })
        .collect();
    Some(match branches.as_slice() {
        [one] => format!("^{one}$"),
        _ => format!("^(?:{})$", branches.join("|")),
    })
}

/// White space as the server's trimming reads it (Unicode White_Space, Rust's
/// `char::is_whitespace`), spelled out: regex dialects disagree on `\s` (ECMA-262 leaves out
/// U+0085, which Rust trims), and a generator and the server must agree on what is blank.
const WHITE_SPACE: &str = r"\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// The escape `\c` outside a class, narrowed.
fn escape(c: char) -> Option<String> {
    match c {
        'S' => Some(format!(r"[^{WHITE_SPACE}\x00]")),
        's' => Some(format!("[{WHITE_SPACE}]")),
        'D' => Some(r"[^\d\x00]".to_string()),
        'W' => Some(r"[^\w\x00]".to_string()),
        'd' | 'w' | 'b' | 'B' | 'n' | 'r' | 't' | 'f' | 'v' => Some(format!("\\{c}")),
        c if !c.is_alphanumeric() && c != '\0' => Some(format!("\\{c}")),
        _ => None,
    }
}

/// A class, read after its `[`, narrowed.
fn class(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
    let negated = chars.next_if_eq(&'^').is_some();
    if chars.peek() == Some(&']') {
        return None; // `[]` and `[^]`: ECMA-262 and Python read them differently
    }
    let mut items = String::new();
    let mut shorthands = Vec::new();
    loop {
        match chars.next()? {
            ']' => break,
            '\0' => return None,
            '\\' => {
                let c = chars.next()?;
                match c {
                    's' => {
                        shorthands.push(c);
                        items.push_str(WHITE_SPACE);
                        continue;
                    }
                    'd' | 'w' | 'S' | 'D' | 'W' => shorthands.push(c),
                    'b' | 'n' | 'r' | 't' | 'f' | 'v' => {}
                    c if !c.is_alphanumeric() && c != '\0' => {}
                    _ => return None,
                }
                items.push('\\');
                items.push(c);
            }
            c => items.push(c),
        }
    }
    if negated {
        return Some(format!(r"[^{items}\x00]"));
    }
    let everything = shorthands
        .iter()
        .any(|c| c.is_uppercase() && shorthands.contains(&c.to_ascii_lowercase()));
    match (everything, shorthands.iter().any(|c| c.is_uppercase())) {
        (true, _) => Some(r"[^\x00]".to_string()),
        (false, false) => Some(format!("[{items}]")),
        (false, true) => None,
    }
}

/// PATCH changes what it names, so an empty or missing body changes nothing (200). PUT twins were
/// copied from PATCH and read bodies the same way.
fn optional_patch_body(op: &mut Operation) {
    let patch_like = op
        .operation_id
        .as_deref()
        .is_some_and(|id| id.starts_with("update") || id.starts_with("patch"))
        && !op.request_body.as_ref().is_some_and(|body| {
            body.content
                .values()
                .any(|c| refers_to(c, "CustomerCreate"))
        });
    if let (true, Some(body)) = (patch_like, op.request_body.as_mut()) {
        body.required = Some(Required::False);
    }
}

fn refers_to(content: &utoipa::openapi::Content, name: &str) -> bool {
    matches!(&content.schema, Some(RefOr::Ref(r)) if r.ref_location.ends_with(&format!("/{name}")))
}

/// A blank query value is the same as none, so a formatted parameter also takes a blank string.
fn blank_query_values(op: &mut Operation) {
    for parameter in op.parameters.iter_mut().flatten() {
        if parameter.parameter_in != ParameterIn::Query {
            continue;
        }
        if let Some(RefOr::T(Schema::Object(object))) = &parameter.schema {
            if object.format.is_some() && object.schema_type == SchemaType::Type(Type::String) {
                parameter.schema = Some(RefOr::T(or_blank(object.clone(), false)));
            }
        }
    }
}

/// Form bodies carry the JSON body's fields as bracket paths (`emails[0][email]=…`, OpenAPI's
/// `deepObject`), in a schema of their own: key names can't hold the brackets that would split
/// them, and a list can't be `null` (leaving it out is how a form says nothing).
fn form_bodies(openapi: &mut Document) {
    let components = openapi.components.get_or_insert_with(Default::default);
    let mut made: BTreeMap<String, String> = BTreeMap::new();
    for item in openapi.paths.paths.values_mut() {
        for op in operations(item) {
            let Some(body) = op.request_body.as_mut() else {
                continue;
            };
            let Some(content) = body.content.get_mut(FORM) else {
                continue;
            };
            let Some(RefOr::Ref(reference)) = &content.schema else {
                continue;
            };
            let name = reference
                .ref_location
                .rsplit('/')
                .next()
                .unwrap_or_default();
            let form_name = form_schema(components, name, FORM_TOP_KEY, "Form", &mut made);
            content.schema = Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                form_name.clone(),
            )));
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get(&form_name) {
                for (key, property) in &object.properties {
                    if matches!(property, RefOr::T(Schema::Array(_))) {
                        let mut encoding = Encoding::default();
                        encoding.style = Some(ParameterStyle::DeepObject);
                        encoding.explode = Some(true);
                        content.encoding.insert(key.clone(), encoding);
                    }
                }
            }
        }
    }
}

/// Makes (once) `<name>Form` from the object schema `name`; returns its name.
fn form_schema(
    components: &mut Components,
    name: &str,
    key_pattern: &str,
    suffix: &str,
    made: &mut BTreeMap<String, String>,
) -> String {
    let form_name = format!("{name}{suffix}");
    if made.contains_key(&form_name) {
        return form_name;
    }
    made.insert(form_name.clone(), name.to_string());
    let Some(RefOr::T(Schema::Object(original))) = components.schemas.get(name).cloned() else {
        return name.to_string();
    };
    let mut object = original;
    object.description = Some(format!(
        "`{name}` in a form: nested fields as bracket paths, every value as text, no `null` \
         (a blank value clears)."
    ));
    object.property_names = Some(Box::new(Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(key_pattern))
            .build(),
    )));
    for property in object.properties.values_mut() {
        form_value_of(property);
        let RefOr::T(Schema::Array(array)) = property else {
            continue;
        };
        array.schema_type = SchemaType::Type(Type::Array);
        if let ArrayItems::RefOrSchema(items) = &mut array.items {
            if let RefOr::Ref(reference) = items.as_mut() {
                let item_name = reference
                    .ref_location
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_string();
                let is_object = matches!(
                    components.schemas.get(&item_name),
                    Some(RefOr::T(Schema::Object(o))) if !o.properties.is_empty()
                );
                if is_object {
                    let nested =
                        form_schema(components, &item_name, FORM_NESTED_KEY, "FormItem", made);
                    *reference = utoipa::openapi::Ref::from_schema_name(nested);
                }
            }
        }
    }
    components
        .schemas
        .insert(form_name.clone(), RefOr::T(Schema::Object(object)));
    form_name
}

/// A field as a form carries it: never `null`; a blank value clears what `null` would, and a
/// boolean may also be written `1` or `0`.
fn form_value_of(property: &mut RefOr<Schema>) {
    match property {
        RefOr::T(Schema::Object(field)) => {
            let nullable = matches!(&field.schema_type,
                SchemaType::Array(types) if types.contains(&Type::Null));
            field.schema_type = without_null(&field.schema_type);
            if field.schema_type == SchemaType::Type(Type::Boolean) {
                let mut any = AnyOf::new();
                any.description = field.description.take();
                any.items.push(RefOr::T(Schema::Object(field.clone())));
                any.items.push(RefOr::T(Schema::Object(
                    ObjectBuilder::new()
                        .schema_type(SchemaType::Array(vec![Type::String, Type::Integer]))
                        .enum_values(Some([
                            serde_json::json!("true"),
                            serde_json::json!("false"),
                            serde_json::json!("1"),
                            serde_json::json!("0"),
                            serde_json::json!(1),
                            serde_json::json!(0),
                        ]))
                        .build(),
                )));
                *property = RefOr::T(Schema::AnyOf(any));
            } else if nullable && field.schema_type != SchemaType::Type(Type::String) {
                *property = RefOr::T(or_blank(field.clone(), false));
            }
        }
        RefOr::T(Schema::AnyOf(any)) => {
            any.items.retain(|item| {
                !matches!(item, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null))
            });
        }
        _ => {}
    }
}

/// From each create (a POST answering 201 with the record) to what can be done with the record:
/// the item path's operations, the record's id from the response, every other path parameter
/// from the request. A customer's create also links to the removal of its first email, phone and
/// website; a conversation's to its interactions.
fn links(openapi: &mut Document) {
    let paths: Vec<String> = openapi.paths.paths.keys().cloned().collect();
    let mut additions: Vec<(String, String, String, Link)> = Vec::new();
    for create_path in &paths {
        let item = &openapi.paths.paths[create_path];
        let Some(create) = &item.post else {
            continue;
        };
        let (base, creates) = match create_path.strip_suffix("/upsert") {
            Some(base) => (base.to_string(), "201"),
            None => (create_path.clone(), "201"),
        };
        if !create.responses.responses.contains_key(creates) {
            continue;
        }
        let given: Vec<String> = path_params(create_path);
        for target_path in &paths {
            let Some(rest) = target_path.strip_prefix(&base) else {
                continue;
            };
            let new_params = path_params(rest);
            let record_item =
                rest.starts_with("/{") && new_params.len() == 1 && rest.matches('/').count() == 1;
            let sub_list =
                rest.starts_with("/{") && new_params.len() == 1 && rest.matches('/').count() == 2;
            let contact = rest.starts_with("/{id}/{list}/");
            if !(record_item || sub_list || contact) {
                continue;
            }
            let target = &openapi.paths.paths[target_path];
            for (method, op) in operation_pairs(target) {
                if sub_list && method != "get" && method != "post" {
                    continue;
                }
                let Some(operation_id) = op.operation_id.clone() else {
                    continue;
                };
                let lists: &[&str] = if contact {
                    &["emails", "phones", "websites"]
                } else {
                    &[""]
                };
                for list in lists {
                    let mut link = Link::default();
                    link.operation_id = operation_id.clone();
                    for param in path_params(target_path) {
                        let value = if given.contains(&param) {
                            format!("$request.path.{param}")
                        } else if param == "list" {
                            list.to_string()
                        } else if param == "item_id" {
                            format!("$response.body#/data/{list}/0/id")
                        } else {
                            "$response.body#/data/id".to_string()
                        };
                        link.parameters.insert(param, value.into());
                    }
                    let name = if list.is_empty() {
                        operation_id.clone()
                    } else {
                        format!("{operation_id}_{list}")
                    };
                    additions.push((create_path.clone(), creates.to_string(), name, link));
                }
            }
        }
    }
    for (path, status, name, link) in additions {
        let Some(post) = openapi
            .paths
            .paths
            .get_mut(&path)
            .and_then(|i| i.post.as_mut())
        else {
            continue;
        };
        if let Some(RefOr::T(response)) = post.responses.responses.get_mut(&status) {
            response.links.insert(name, RefOr::T(link));
        }
    }
}

/// `{account_id}` and `{id}` of `/api/v1/accounts/{account_id}/customers/{id}`.
fn path_params(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_narrowed_to_text_without_nul() {
        let phone = r"^[ +\-().x]*[0-9][ +\-().x]*[0-9][ +\-().x]*[0-9][0-9 +\-().x]*$";
        // `\s` spelled out (see WHITE_SPACE), `\S` its complement without U+0000.
        let (s, ns) = (format!("[{WHITE_SPACE}]"), format!(r"[^{WHITE_SPACE}\x00]"));
        for (pattern, narrowed) in [
            (r"\S".to_string(), format!(r"^[^\x00]*{ns}[^\x00]*$")),
            (r"\.".to_string(), r"^[^\x00]*\.[^\x00]*$".to_string()),
            (
                "^[Hh][Tt][Tt][Pp][Ss]?://".to_string(),
                r"^[Hh][Tt][Tt][Pp][Ss]?://[^\x00]*$".to_string(),
            ),
            (
                r"^\s*\S([\s\S]{0,253}\S)?\s*$".to_string(),
                format!(r"^{s}*{ns}([^\x00]{{0,253}}{ns})?{s}*$"),
            ),
            (
                r"^\s*$|[0-9]".to_string(),
                format!(r"^(?:{s}*|[^\x00]*[0-9][^\x00]*)$"),
            ),
            (r"^[^\[]+$".to_string(), r"^[^\[\x00]+$".to_string()),
            (
                "a.c$".to_string(),
                r"^[^\x00]*a[^\n\r\u2028\u2029\x00]c$".to_string(),
            ),
            (
                "(?:a|b)".to_string(),
                r"^[^\x00]*(?:a|b)[^\x00]*$".to_string(),
            ),
            (String::new(), r"^[^\x00]*$".to_string()),
            (phone.to_string(), phone.to_string()),
            (
                r"^\s*(customer|agent|note)\s*$".to_string(),
                format!(r"^{s}*(customer|agent|note){s}*$"),
            ),
            (BLANK.to_string(), format!("^{s}*$")),
        ] {
            assert_eq!(without_nul(&pattern), narrowed, "{pattern}");
        }
    }

    #[test]
    fn what_cant_be_rewritten_is_kept_behind_a_lookahead() {
        for pattern in [
            r"\x41", r"\u0041", "(?=a)b", r"(a)\1", r"[\Sa]", r"\P{L}", "[]a]",
        ] {
            assert_eq!(
                without_nul(pattern),
                format!(r"^(?![\s\S]*\x00)[\s\S]*?(?:{pattern})"),
                "{pattern}"
            );
        }
    }
}
