//! # funding-window-wasm-common
//!
//! What the WebAssembly modules of the funding-window ledger share, so that each reads
//! JavaScript values and throws errors the same way: the main module (`bindings/wasm`) and the
//! modules a page loads beside it on demand.
//!
//! [`convert`] turns JavaScript values into what the core reads (commands and option objects by
//! the strict walk of `walk.js`, string and journal arguments); [`error`] turns the core's
//! errors into JavaScript `Error`s named `"LedgerError"` with the core's code and fields.
//!
//! The crate exports nothing to JavaScript itself (no `#[wasm_bindgen]` function or type): a
//! module links only what it calls.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![warn(missing_docs)]

pub mod convert;
pub mod error;
