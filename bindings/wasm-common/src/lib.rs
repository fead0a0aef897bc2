//! # funding-window-wasm-common
//!
//! What the two WebAssembly modules of the funding-window ledger share, so that both read
//! JavaScript values and throw errors the same way:
//!
//! * `bindings/wasm`, the main module: the ledger, its commands and reports;
//! * `bindings/wasm-exports`, loaded on demand: the books as files (CSV, IATI XML, an hledger
//!   journal, the Excel report pack).
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
