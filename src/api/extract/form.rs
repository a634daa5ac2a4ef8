//! Bracket-key form bodies (`emails[0][email]=a&emails[][email]=b`) turned into the JSON shape the
//! same request would have: objects, arrays (for numeric or empty brackets) and string leaves.
//!
//! Hand-written rather than serde_qs: handlers read bodies as JSON values to report every bad field
//! by its path, and serde_qs does not build `emails[][email]` lists of objects.

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

/// Parses an `application/x-www-form-urlencoded` body. The error says what is broken.
pub fn parse(body: &[u8]) -> Result<Value, String> {
    let text =
        std::str::from_utf8(body).map_err(|_| "the form body is not valid UTF-8".to_string())?;
    let mut root = BTreeMap::new();
    let mut appends = Appends::default();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode(raw_key)?;
        let value = decode(raw_value)?;
        let segments = split_key(&key)?;
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
fn split_key(key: &str) -> Result<Vec<String>, String> {
    let (base, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if base.is_empty() {
        return Err(format!("form key {key:?} has no name"));
    }
    let mut segments = vec![base.to_string()];
    while !rest.is_empty() {
        let close = match (rest.starts_with('['), rest.find(']')) {
            (true, Some(close)) => close,
            _ => return Err(format!("form key {key:?} has unbalanced brackets")),
        };
        segments.push(rest[1..close].to_string());
        rest = &rest[close + 1..];
        if segments.len() > MAX_DEPTH {
            return Err(format!(
                "form key {key:?} nests deeper than {MAX_DEPTH} levels"
            ));
        }
    }
    Ok(segments)
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
        let key = if i > 0 && segment.is_empty() {
            Key::Index(appends.index_for(&list, segments[i + 1..].join("][")))
        } else {
            match segment.parse::<u32>() {
                Ok(n) if i > 0 && *segment == n.to_string() => Key::Index(n),
                _ => Key::Name(segment.clone()),
            }
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
        parse(s.as_bytes()).unwrap()
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
            assert!(parse(bad.as_bytes()).is_err(), "{bad:?} was accepted");
        }
        assert!(parse(b"a=%FF").is_err());
        assert!(parse(b"a=\xff").is_err());
    }

    #[test]
    fn an_empty_body_is_an_empty_object() {
        assert_eq!(form(""), json!({}));
    }
}
