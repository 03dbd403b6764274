//! Streams over every page of a list endpoint (limit/offset, §8.6 and §8.12).

use std::collections::VecDeque;

use futures_core::Stream;
use wxpay_model::ApiRequest;
use wxpay_model::busifavor::{
    CouponCodeEntity, CouponEntity, ListCouponCodesRequest, ListUserCouponsRequest,
};

use crate::{Client, Error};

/// Default page size: 20, WeChat Pay's usual default.
pub const DEFAULT_PAGE_SIZE: i64 = 20;

/// How `offset` counts in a list request.
///
/// The contract leaves it open (spec §12.13): one source calls `offset` a page index, the
/// others a row offset, and the simulator uses row offsets. Row offsets are the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OffsetMode {
    /// `offset` is the number of rows before the page (0, 20, 40, … for pages of 20).
    #[default]
    Rows,
    /// `offset` is the page index (0, 1, 2, …).
    Pages,
}

/// Options of a list stream: page size and offset semantics.
///
/// ```
/// use busifavor::{OffsetMode, PageOptions};
/// let options = PageOptions::new().page_size(50).offset_mode(OffsetMode::Rows);
/// assert_eq!(options.get_page_size(), 50);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageOptions {
    page_size: i64,
    offset_mode: OffsetMode,
}

impl Default for PageOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl PageOptions {
    /// Pages of [`DEFAULT_PAGE_SIZE`], row offsets.
    pub fn new() -> Self {
        Self {
            page_size: DEFAULT_PAGE_SIZE,
            offset_mode: OffsetMode::Rows,
        }
    }

    /// Rows per page (the request's `limit`), at least 1; values below 1 count as 1.
    pub fn page_size(mut self, n: i64) -> Self {
        self.page_size = n.max(1);
        self
    }

    /// How `offset` counts.
    pub fn offset_mode(mut self, mode: OffsetMode) -> Self {
        self.offset_mode = mode;
        self
    }

    /// The page size.
    pub fn get_page_size(&self) -> i64 {
        self.page_size
    }
}

/// A list request that can be paged.
pub(crate) trait Paged: ApiRequest + Clone + Send + Sync + 'static {
    /// One element of a page.
    type Item: Send + 'static;
    /// The request's starting offset.
    fn start_offset(&self) -> i64;
    /// Sets offset and limit.
    fn set_page(&mut self, offset: i64, limit: i64);
    /// The page's elements and the total count.
    fn split(page: Self::Response) -> (Vec<Self::Item>, i64);
}

impl Paged for ListCouponCodesRequest {
    type Item = CouponCodeEntity;
    fn start_offset(&self) -> i64 {
        self.offset.unwrap_or(0)
    }
    fn set_page(&mut self, offset: i64, limit: i64) {
        self.offset = Some(offset);
        self.limit = Some(limit);
    }
    fn split(page: Self::Response) -> (Vec<Self::Item>, i64) {
        (page.data.unwrap_or_default(), page.total_count)
    }
}

impl Paged for ListUserCouponsRequest {
    type Item = CouponEntity;
    fn start_offset(&self) -> i64 {
        self.offset.unwrap_or(0)
    }
    fn set_page(&mut self, offset: i64, limit: i64) {
        self.offset = Some(offset);
        self.limit = Some(limit);
    }
    fn split(page: Self::Response) -> (Vec<Self::Item>, i64) {
        (page.data.unwrap_or_default(), page.total_count)
    }
}

struct Pager<R: Paged> {
    client: Client,
    request: R,
    options: PageOptions,
    /// The `offset` of the next page to fetch.
    offset: i64,
    /// Rows before the next page (for the end test against `total_count`).
    position: i64,
    buffer: VecDeque<R::Item>,
    done: bool,
}

/// Every element of every page of `request`, fetching the next page only when the buffer is
/// empty. Ends when `total_count` rows are behind, a page comes back empty, or after an error.
pub(crate) fn pages<R: Paged>(
    client: Client,
    request: R,
    options: PageOptions,
) -> impl Stream<Item = Result<R::Item, Error>> + Send + 'static
where
    R::Response: Send,
{
    let start = request.start_offset().max(0);
    let position = match options.offset_mode {
        OffsetMode::Rows => start,
        OffsetMode::Pages => start.saturating_mul(options.page_size),
    };
    let pager = Pager {
        client,
        request,
        options,
        offset: start,
        position,
        buffer: VecDeque::new(),
        done: false,
    };
    futures_util::stream::unfold(pager, |mut p| async move {
        loop {
            if let Some(item) = p.buffer.pop_front() {
                return Some((Ok(item), p));
            }
            if p.done {
                return None;
            }
            let mut page = p.request.clone();
            page.set_page(p.offset, p.options.page_size);
            match p.client.execute(&page).await {
                Err(e) => {
                    p.done = true;
                    return Some((Err(e), p));
                }
                Ok(answer) => {
                    let (items, total) = R::split(answer.into_value());
                    let n = i64::try_from(items.len()).unwrap_or(i64::MAX);
                    p.position = p.position.saturating_add(n);
                    p.offset = match p.options.offset_mode {
                        OffsetMode::Rows => p.offset.saturating_add(n),
                        OffsetMode::Pages => p.offset.saturating_add(1),
                    };
                    // An empty page ends the stream even if total_count promised more: the
                    // next offset would ask for the same rows again.
                    p.done = n == 0 || p.position >= total;
                    p.buffer.extend(items);
                }
            }
        }
    })
}
