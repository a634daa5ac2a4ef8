//! [`keyset_page!`]: the one way every list orders, pages and continues after a cursor.

/// `$rows` (a boxed select) ordered by `($key, $id)` in `$order` (a
/// [`crate::domain::paging::Order`]), continued after `$after` (`Some((key value, id))` of the
/// last row seen, for keyset paging) and cut to `$window`'s limit and offset.
///
/// The bound after a row is written `key <= v AND (key < v OR id < last_id)` (mirrored when
/// ascending): the first term is what both planners turn into an index range, where the `OR`
/// alone made them walk the index from its start (a deep cursor page took 0.4 s on SQLite and
/// 1.9 s on PostgreSQL at a million customers).
#[macro_export]
macro_rules! keyset_page {
    ($rows:expr, $window:expr, $order:expr, $key:expr, $id:expr, $after:expr $(,)?) => {{
        use $crate::domain::paging::Order as KeysetOrder;
        let mut rows = $rows;
        let order: KeysetOrder = $order;
        if let Some((bound, last_id)) = $after {
            let at_bound = ::std::clone::Clone::clone(&bound);
            rows = match order {
                KeysetOrder::Asc => {
                    rows.filter($key.ge(at_bound).and($key.gt(bound).or($id.gt(last_id))))
                }
                KeysetOrder::Desc => {
                    rows.filter($key.le(at_bound).and($key.lt(bound).or($id.lt(last_id))))
                }
            };
        }
        let rows = match order {
            KeysetOrder::Asc => rows.order(($key.asc(), $id.asc())),
            KeysetOrder::Desc => rows.order(($key.desc(), $id.desc())),
        };
        rows.limit($window.limit()).offset($window.offset())
    }};
}
