//! The order list's query and paging, the same on every backend: newest
//! first by `pos`, filtered, a page and one more row to know whether
//! another page follows; the cursor is the last `pos` handed out.

use sqlx::{Database, Encode, QueryBuilder, Type};
use trackwire_domain::Order;

use crate::types::{OrderFilter, OrderPage, PageRequest};
use crate::StoreError;

/// `SELECT pos, snapshot FROM orders …` for `tenant`, `filter` and `page`.
pub(crate) fn query<'a, DB>(
    tenant: &'a str,
    filter: &'a OrderFilter,
    page: &PageRequest,
) -> Result<QueryBuilder<'a, DB>, StoreError>
where
    DB: Database,
    &'a str: Encode<'a, DB> + Type<DB>,
    i64: Encode<'a, DB> + Type<DB>,
{
    let mut query = QueryBuilder::new("SELECT pos, snapshot FROM orders WHERE tenant = ");
    query.push_bind(tenant);
    if let Some(status) = filter.status {
        query.push(" AND status = ").push_bind(status.as_str());
    }
    if let Some(customer) = &filter.customer {
        query
            .push(" AND customer_id = ")
            .push_bind(customer.as_str());
    }
    if let Some(courier) = &filter.courier {
        query.push(" AND courier_id = ").push_bind(courier.as_str());
    }
    if let Some(after) = &page.after {
        // Cursors are `pos` values we handed out; anything else is refused.
        let pos: i64 = after
            .parse()
            .map_err(|_| StoreError::InvalidCursor(after.clone()))?;
        query.push(" AND pos < ").push_bind(pos);
    }
    query
        .push(" ORDER BY pos DESC LIMIT ")
        .push_bind(i64::from(page.limit) + 1);
    Ok(query)
}

/// The page of `rows` (read by `query`), each turned into its `pos` and
/// order by `read`.
pub(crate) fn page<R>(
    rows: &[R],
    page: &PageRequest,
    read: impl Fn(&R) -> Result<(i64, Order), StoreError>,
) -> Result<OrderPage, StoreError> {
    let limit = page.limit as usize;
    let mut items = Vec::with_capacity(rows.len().min(limit));
    let mut last_pos = None;
    for row in rows.iter().take(limit) {
        let (pos, order) = read(row)?;
        items.push(order);
        last_pos = Some(pos);
    }
    let next = if rows.len() > limit {
        last_pos.map(|p| p.to_string())
    } else {
        None
    };
    Ok(OrderPage { items, next })
}
