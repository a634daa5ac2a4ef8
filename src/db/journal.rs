//! The journal of one write transaction: which records it created, updated or deleted, noted by
//! the repository functions that change their rows, so the request can append one event per
//! change to the feed (`api::events`) before it commits: no change without its event.
//!
//! It lives in a thread-local for the length of [`record`], because the transaction runs on one
//! blocking thread and every write path (handlers, cascades a delete causes, companies linking
//! customers by domain) reaches the repository without a journal threaded through its
//! signatures. Outside [`record`] (the command line's bulk seeding, migrations) nothing is noted.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::{DbConn, Result};

/// A kind of record the feed reports on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Customer,
    Conversation,
    Interaction,
    Company,
    CustomerRequest,
    Note,
}

impl Kind {
    /// The event type's prefix: `customer` in `customer.created`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Customer => "customer",
            Kind::Conversation => "conversation",
            Kind::Interaction => "interaction",
            Kind::Company => "company",
            Kind::CustomerRequest => "customer_request",
            Kind::Note => "note",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Created,
    Updated,
    Deleted,
    /// Other records were merged into this one (a customer's duplicates).
    Merged,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::Deleted => "deleted",
            Action::Merged => "merged",
        }
    }
}

/// One change, in the order the transaction first made it.
#[derive(Debug, Clone)]
pub struct Note {
    pub kind: Kind,
    pub id: i64,
    pub action: Action,
    /// The record's JSON view: for a delete, what it was (taken before the row went); otherwise
    /// given by the handler that already built it, or `None` to be read at the end of the
    /// transaction, in its final state.
    pub view: Option<String>,
    /// For [`Action::Merged`]: the records merged into this one.
    pub merged_ids: Vec<i64>,
}

/// Renders a record's JSON view as the API shows it (`None`: no such record), in the scope of
/// the transaction being journaled.
pub type Render = dyn Fn(&mut DbConn, Kind, i64) -> Result<Option<String>>;

struct Journal {
    notes: Vec<Option<Note>>,
    at: HashMap<(Kind, i64), usize>,
    render: Rc<Render>,
}

thread_local! {
    static JOURNAL: RefCell<Option<Journal>> = const { RefCell::new(None) };
}

/// Runs `work` with a journal, and returns what it did with the changes it noted, in order.
pub fn record<T>(render: Rc<Render>, work: impl FnOnce() -> T) -> (T, Vec<Note>) {
    let installed = Installed::new(Journal {
        notes: Vec::new(),
        at: HashMap::new(),
        render,
    });
    let value = work();
    let notes = installed
        .finish()
        .map(|j| j.notes.into_iter().flatten().collect())
        .unwrap_or_default();
    (value, notes)
}

/// The thread's journal for the length of [`record`]; the one before comes back when it ends,
/// even by a panic (the blocking thread is reused).
struct Installed {
    outer: Option<Option<Journal>>,
}

impl Installed {
    fn new(journal: Journal) -> Installed {
        let outer = JOURNAL.with(|j| j.borrow_mut().replace(journal));
        Installed { outer: Some(outer) }
    }

    fn finish(mut self) -> Option<Journal> {
        let outer = self.outer.take().flatten();
        JOURNAL.with(|j| std::mem::replace(&mut *j.borrow_mut(), outer))
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        if let Some(outer) = self.outer.take() {
            JOURNAL.with(|j| *j.borrow_mut() = outer);
        }
    }
}

fn with_journal(f: impl FnOnce(&mut Journal)) {
    JOURNAL.with(|j| {
        if let Some(journal) = j.borrow_mut().as_mut() {
            f(journal);
        }
    });
}

impl Journal {
    fn push(&mut self, note: Note) {
        self.at.insert((note.kind, note.id), self.notes.len());
        self.notes.push(Some(note));
    }

    fn current(&mut self, kind: Kind, id: i64) -> Option<&mut Note> {
        let index = *self.at.get(&(kind, id))?;
        self.notes[index].as_mut()
    }
}

/// A record was inserted.
pub fn created(kind: Kind, id: i64) {
    with_journal(|j| {
        j.push(Note {
            kind,
            id,
            action: Action::Created,
            view: None,
            merged_ids: Vec::new(),
        })
    });
}

/// A record's row (or a row that is part of its view) changed. After a create or an earlier
/// update in the same transaction it adds nothing: one event shows the final state.
pub fn updated(kind: Kind, id: i64) {
    with_journal(|j| {
        if j.current(kind, id).is_none() {
            j.push(Note {
                kind,
                id,
                action: Action::Updated,
                view: None,
                merged_ids: Vec::new(),
            });
        }
    });
}

/// Many records of one kind changed (a bulk update's `RETURNING` ids).
pub fn updated_all(kind: Kind, ids: &[i64]) {
    for id in ids {
        updated(kind, *id);
    }
}

/// The record is about to be deleted: its view is taken now, for the tombstone. A record created
/// in this same transaction leaves no event at all; an update before the delete is folded into it.
pub fn deleting(conn: &mut DbConn, kind: Kind, id: i64) -> Result<()> {
    let Some(render) = JOURNAL.with(|j| j.borrow().as_ref().map(|j| j.render.clone())) else {
        return Ok(());
    };
    let view = render(conn, kind, id)?;
    with_journal(|j| {
        let earlier = j.at.remove(&(kind, id)).and_then(|i| j.notes[i].take());
        let created_here = earlier.is_some_and(|n| n.action == Action::Created);
        if let (false, Some(view)) = (created_here, view) {
            j.push(Note {
                kind,
                id,
                action: Action::Deleted,
                view: Some(view),
                merged_ids: Vec::new(),
            });
        }
    });
    Ok(())
}

/// `sources` were merged into record `id`: its one event is a merge (whatever else changed it in
/// the transaction), naming them; the sources themselves leave no event of their own.
pub fn merged(kind: Kind, id: i64, sources: &[i64]) {
    with_journal(|j| {
        for source in sources {
            if let Some(index) = j.at.remove(&(kind, *source)) {
                j.notes[index] = None;
            }
        }
        match j.current(kind, id) {
            Some(note) => {
                note.action = Action::Merged;
                note.merged_ids.extend_from_slice(sources);
            }
            None => j.push(Note {
                kind,
                id,
                action: Action::Merged,
                view: None,
                merged_ids: sources.to_vec(),
            }),
        }
    });
}

/// Several records of one kind are about to be deleted (see [`deleting`]).
pub fn deleting_all(conn: &mut DbConn, kind: Kind, ids: &[i64]) -> Result<()> {
    for id in ids {
        deleting(conn, kind, *id)?;
    }
    Ok(())
}

/// The handler already built the view of a record it created or updated: no need to read it
/// again. Ignored when the transaction noted no change of it (a write that changed nothing).
pub fn rendered(kind: Kind, id: i64, view: &str) {
    with_journal(|j| {
        if let Some(note) = j.current(kind, id) {
            if note.action != Action::Deleted {
                note.view = Some(view.to_string());
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_render() -> Rc<Render> {
        Rc::new(|_: &mut DbConn, _: Kind, _: i64| Ok(Some("{}".to_string())))
    }

    fn summary(notes: &[Note]) -> Vec<(Kind, i64, Action)> {
        notes.iter().map(|n| (n.kind, n.id, n.action)).collect()
    }

    #[test]
    fn one_note_per_record_in_first_change_order() {
        let ((), notes) = record(no_render(), || {
            created(Kind::Customer, 1);
            updated(Kind::Customer, 1);
            updated(Kind::Company, 7);
            updated(Kind::Company, 7);
            rendered(Kind::Customer, 1, r#"{"id":1}"#);
            rendered(Kind::Conversation, 3, "{}"); // never changed: ignored
        });
        assert_eq!(
            summary(&notes),
            [
                (Kind::Customer, 1, Action::Created),
                (Kind::Company, 7, Action::Updated)
            ]
        );
        assert_eq!(notes[0].view.as_deref(), Some(r#"{"id":1}"#));
        assert!(notes[1].view.is_none());
    }

    #[test]
    fn a_merge_is_the_survivors_one_event_and_hides_the_sources() {
        let ((), notes) = record(no_render(), || {
            updated(Kind::Customer, 2);
            updated(Kind::Customer, 1);
            updated(Kind::Conversation, 9);
            merged(Kind::Customer, 1, &[2, 3]);
        });
        assert_eq!(
            summary(&notes),
            [
                (Kind::Customer, 1, Action::Merged),
                (Kind::Conversation, 9, Action::Updated)
            ]
        );
        assert_eq!(notes[0].merged_ids, [2, 3]);
    }

    #[test]
    fn nothing_is_noted_outside_a_record_and_a_panic_leaves_none_behind() {
        created(Kind::Customer, 1);
        let caught = std::panic::catch_unwind(|| {
            record(no_render(), || {
                created(Kind::Customer, 2);
                panic!("the work failed");
            })
        });
        assert!(caught.is_err());
        let ((), notes) = record(no_render(), || updated(Kind::Customer, 3));
        assert_eq!(summary(&notes), [(Kind::Customer, 3, Action::Updated)]);
        assert!(JOURNAL.with(|j| j.borrow().is_none()));
    }
}
