//! Bracket-key form bodies (`emails[0][email]=a&emails[][email]=b`) turned into the JSON shape the
//! same request would have: objects, arrays (for numeric or empty brackets) and string leaves.
//!
//! Hand-written rather than serde_qs: handlers read bodies as JSON values to report every bad field
//! by its path, and serde_qs does not build `emails[][email]` lists of objects.
//!
//! A key that can't be read (unbalanced brackets, deeper than 8 levels) is skipped when it breaks
//! inside a field the request's operation does not name in the OpenAPI document (the server
//! ignores unknown fields, and a skipped key builds nothing: the depth bound is against the work
//! deep keys make), and a 400 otherwise, where the document says what a key may be.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Value};

/// Deeper keys than this are refused: no request of ours nests further, and it bounds the work.
const MAX_DEPTH: usize = 8;

/// A node while the form is being assembled: numeric keys stay sortable until the end.
enum Node {
    Leaf(String),
    Map(BTreeMap<Key, Node>),
}

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Index(u32),
    Name(String),
}

/// The fields a form may carry, as the OpenAPI document names them
/// (`api::openapi::form_fields`).
#[derive(Debug)]
pub enum Fields {
    /// A value: text, a number, a boolean, or anything the document does not break down.
    Value,
    /// Named fields; no others.
    Object(HashMap<String, Fields>),
    /// Items (`[0]`, `[]`), each of these fields.
    List(Box<Fields>),
}

impl Fields {
    /// Whether the key `segments` names a field the document does not: at some level of named
    /// fields, a name that is none of them. A key that follows the named fields all the way, or
    /// goes where they don't say (into a value, or a list by name), is a known field's.
    fn unknown(&self, segments: &[String]) -> bool {
        let mut fields = self;
        for segment in segments {
            fields = match fields {
                Fields::Object(named) => match named.get(segment) {
                    Some(field) => field,
                    None => return true,
                },
                Fields::List(item) if index(segment).is_some() => item,
                Fields::List(_) | Fields::Value => return false,
            };
        }
        false
    }
}

/// Parses an `application/x-www-form-urlencoded` body. The error says what is broken. With
/// `known`, an unreadable key of a field it does not name is skipped rather than an error.
pub fn parse(body: &[u8], known: Option<&Fields>) -> Result<Value, String> {
    let text =
        std::str::from_utf8(body).map_err(|_| "the form body is not valid UTF-8".to_string())?;
    let mut root = BTreeMap::new();
    let mut appends = Appends::default();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode(raw_key)?;
        let value = decode(raw_value)?;
        let segments = match split_key(&key) {
            Ok(segments) => segments,
            // Skipped only below a field the document does not name: the document constrains
            // the names it lists (and, in items, that they hold no `]`), not what an unknown
            // field holds.
            Err((read, _))
                if known.is_some_and(|fields| {
                    read.split_last()
                        .is_some_and(|(_, parent)| fields.unknown(parent))
                }) =>
            {
                continue
            }
            Err((_, message)) => return Err(message),
        };
        let path = resolve_appends(&segments, &mut appends);
        insert(&mut root, &path, value, &key)?;
    }
    Ok(into_value(Node::Map(root)))
}

fn decode(raw: &str) -> Result<String, String> {
    let spaced = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| "the form body is not valid UTF-8 once decoded".to_string())
}

/// `emails[0][email]` → `["emails", "0", "email"]`; `emails[][email]` → `["emails", "", "email"]`.
/// A key it can't read is an error, with the segments read before the trouble (at most
/// `MAX_DEPTH + 1`).
fn split_key(key: &str) -> Result<Vec<String>, (Vec<String>, String)> {
    let (base, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if base.is_empty() {
        return Err((Vec::new(), format!("form key {key:?} has no name")));
    }
    let mut segments = vec![base.to_string()];
    while !rest.is_empty() {
        let close = match (rest.starts_with('['), rest.find(']')) {
            (true, Some(close)) => close,
            _ => {
                let message = format!("form key {key:?} has unbalanced brackets");
                return Err((segments, message));
            }
        };
        segments.push(rest[1..close].to_string());
        rest = &rest[close + 1..];
        if segments.len() > MAX_DEPTH {
            let message = format!("form key {key:?} nests deeper than {MAX_DEPTH} levels");
            return Err((segments, message));
        }
    }
    Ok(segments)
}

/// A list index: digits as `u32` writes them (`0`, `12`; not `01`). Empty brackets append.
fn index(segment: &str) -> Option<Option<u32>> {
    if segment.is_empty() {
        return Some(None);
    }
    match segment.parse::<u32>() {
        Ok(n) if segment == n.to_string() => Some(Some(n)),
        _ => None,
    }
}

/// Numbers the items that empty brackets append, per list. `list[][a]=1&list[][b]=2` is one item
/// (Rails' rule: a new item starts when a field after `[]` repeats); `list[]=1&list[]=2` is two.
#[derive(Default)]
struct Appends {
    /// For each list: the index of its current item, and the fields that item has so far.
    lists: HashMap<String, (u32, HashSet<String>)>,
}

impl Appends {
    fn index_for(&mut self, list: &str, field: String) -> u32 {
        match self.lists.get_mut(list) {
            None => {
                self.lists
                    .insert(list.to_string(), (0, HashSet::from([field])));
                0
            }
            Some((index, fields)) => {
                if fields.contains(&field) {
                    *index += 1;
                    fields.clear();
                }
                fields.insert(field);
                *index
            }
        }
    }
}

/// Turns segments into keys: numbers index lists, empty brackets append to them.
fn resolve_appends(segments: &[String], appends: &mut Appends) -> Vec<Key> {
    let mut path = Vec::with_capacity(segments.len());
    let mut list = String::new();
    for (i, segment) in segments.iter().enumerate() {
        let key = match index(segment) {
            Some(None) if i > 0 => {
                Key::Index(appends.index_for(&list, segments[i + 1..].join("][")))
            }
            Some(Some(n)) if i > 0 => Key::Index(n),
            _ => Key::Name(segment.clone()),
        };
        list.push_str(&match &key {
            Key::Index(n) => format!("[{n}]"),
            Key::Name(s) => format!("[{s}]"),
        });
        path.push(key);
    }
    path
}

fn insert(
    map: &mut BTreeMap<Key, Node>,
    path: &[Key],
    value: String,
    key: &str,
) -> Result<(), String> {
    #[allow(clippy::expect_used, reason = "the parser never makes an empty path")]
    let (first, rest) = path.split_first().expect("a key has at least its name");
    if rest.is_empty() {
        if let Some(Node::Map(_)) = map.get(first) {
            return Err(format!("form key {key:?} is both a value and a group"));
        }
        map.insert(first.clone(), Node::Leaf(value));
        return Ok(());
    }
    match map
        .entry(first.clone())
        .or_insert_with(|| Node::Map(BTreeMap::new()))
    {
        Node::Map(child) => insert(child, rest, value, key),
        Node::Leaf(_) => Err(format!("form key {key:?} is both a value and a group")),
    }
}

/// Maps whose keys are all numbers become arrays, in index order.
fn into_value(node: Node) -> Value {
    match node {
        Node::Leaf(s) => Value::String(s),
        Node::Map(map) if !map.is_empty() && map.keys().all(|k| matches!(k, Key::Index(_))) => {
            Value::Array(map.into_values().map(into_value).collect())
        }
        Node::Map(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let name = match k {
                        Key::Index(n) => n.to_string(),
                        Key::Name(s) => s,
                    };
                    (name, into_value(v))
                })
                .collect::<Map<_, _>>(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn form(s: &str) -> Value {
        parse(s.as_bytes(), None).unwrap()
    }

    #[test]
    fn reads_the_seed_sample() {
        let body = "first_name=Jane&last_name=Doe&emails[0][email]=jane%40example.org\
                    &phones[0][phone]=123+123+1234&websites[0][website]=https%3A%2F%2Fwww.example.org%2F";
        assert_eq!(
            form(body),
            json!({"first_name": "Jane", "last_name": "Doe",
                   "emails": [{"email": "jane@example.org"}], "phones": [{"phone": "123 123 1234"}],
                   "websites": [{"website": "https://www.example.org/"}]})
        );
    }

    #[test]
    fn curl_sends_brackets_unencoded_and_that_works_too() {
        assert_eq!(
            form("emails[0][id]=1&emails[0][email]=a@b.co"),
            json!({"emails": [{"id": "1", "email": "a@b.co"}]})
        );
    }

    #[test]
    fn indexes_order_the_list() {
        assert_eq!(
            form("e[1][x]=b&e[0][x]=a"),
            json!({"e": [{"x": "a"}, {"x": "b"}]})
        );
    }

    #[test]
    fn empty_brackets_append_items_the_rails_way() {
        assert_eq!(
            form("emails[][email]=a@x.io&emails[][id]=3&emails[][email]=b@x.io"),
            json!({"emails": [{"email": "a@x.io", "id": "3"}, {"email": "b@x.io"}]})
        );
        assert_eq!(form("tags[]=a&tags[]=b"), json!({"tags": ["a", "b"]}));
    }

    #[test]
    fn broken_keys_are_errors() {
        for bad in [
            "a[b=1",
            "[x]=1",
            "a=1&a[b]=2",
            "a[b]=1&a=2",
            "a[1][2][3][4][5][6][7][8]=1",
        ] {
            assert!(parse(bad.as_bytes(), None).is_err(), "{bad:?} was accepted");
        }
        assert!(parse(b"a=%FF", None).is_err());
        assert!(parse(b"a=\xff", None).is_err());
    }

    /// `{"name": …, "emails": [{"id": …, "email": …}], "domains": […]}`.
    fn known() -> Fields {
        let item = HashMap::from([
            ("id".to_string(), Fields::Value),
            ("email".to_string(), Fields::Value),
        ]);
        Fields::Object(HashMap::from([
            ("name".to_string(), Fields::Value),
            (
                "emails".to_string(),
                Fields::List(Box::new(Fields::Object(item))),
            ),
            ("domains".to_string(), Fields::List(Box::new(Fields::Value))),
        ]))
    }

    #[test]
    fn unreadable_keys_of_unknown_fields_are_skipped() {
        let deep = "[1][2][3][4][5][6][7][8][9][10]";
        for (body, read) in [
            (format!("x{deep}=1&name=A"), json!({"name": "A"})),
            ("x[a]b]=1&name=A".to_string(), json!({"name": "A"})),
            (format!("emails[0]{deep}=1&name=A"), json!({"name": "A"})),
            (
                format!("emails[0][email]=a@b.co&emails[0][note]{deep}=1"),
                json!({"emails": [{"email": "a@b.co"}]}),
            ),
            (
                "emails[][email]=a@b.co&emails[][x][y]z]=1".to_string(),
                json!({"emails": [{"email": "a@b.co"}]}),
            ),
            // Readable keys of unknown fields are read as ever (and ignored by the handlers).
            ("x[a]=1".to_string(), json!({"x": {"a": "1"}})),
        ] {
            assert_eq!(parse(body.as_bytes(), Some(&known())), Ok(read), "{body}");
        }
    }

    #[test]
    fn unreadable_keys_of_known_fields_are_still_errors() {
        let deep = "[1][2][3][4][5][6][7][8][9][10]";
        for body in [
            format!("name{deep}=1"),
            "name[a=1".to_string(),
            "name[a]b]=1".to_string(),
            format!("emails[0][email]{deep}=1"),
            "emails[0][email=1".to_string(),
            "emails[0=1".to_string(),
            format!("emails[x]{deep}=1"),
            format!("domains[0]{deep}=1"),
            "[x]=1".to_string(),
            // Where the document names what a key may be: a top-level name, an item's field.
            "x[a=1".to_string(),
            "emails[][x]y]=1".to_string(),
        ] {
            assert!(
                parse(body.as_bytes(), Some(&known())).is_err(),
                "{body} was accepted"
            );
        }
    }

    #[test]
    fn an_empty_body_is_an_empty_object() {
        assert_eq!(form(""), json!({}));
    }
}
