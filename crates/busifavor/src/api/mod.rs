//! One async method per endpoint of spec §8, grouped as a merchant meets them: stocks, pre-made
//! codes, the callback URL, coupons, subsidies, and the adjacent endpoints.

mod adjacent;
mod codes;
mod coupons;
mod notify_url;
mod stocks;
mod subsidy;
