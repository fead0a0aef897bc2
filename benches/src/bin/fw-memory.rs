//! Memory of an in-memory ledger, per journal entry (the native side of issue 14's
//! measurement; `benches/wasm_apply.mjs` measures the WebAssembly side).
//!
//! ```text
//! fw-memory receipts ENTRIES [BATCH]   # a donor, an agreement, ENTRIES receipts in batches of BATCH
//! fw-memory mixed ENTRIES [BATCH]      # the workload of fw-bench (14 kinds of entries)
//! ```
//!
//! A counting allocator (this binary only: the other tools keep the system's, unmeasured)
//! gives the bytes live on the heap after the ledger is built, and the peak while a batch is
//! applied. Printed: bytes per entry, of which the journal's text, and the peak of the batch
//! over the ledger it grew from. Nothing here asserts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use funding_window::{Ledger, Request};
use serde_json::json;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every call is passed on to the system allocator unchanged; only sizes are counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

const AT: &str = "2025-01-15T09:00:00Z";

fn request(value: serde_json::Value) -> Request {
    Request::from_value(value).expect("the workload's commands are valid")
}

/// A donor and a USD agreement large enough for `entries` receipts.
fn receipt_setup() -> Vec<Request> {
    vec![
        request(json!({"type": "register_donor", "id": "NO", "name": "Norway", "kind": "member_state",
            "recorded_at": AT})),
        request(json!({"type": "sign_agreement", "id": "CA-NO-2024-01", "donor": "NO", "currency": "USD",
            "amount": "900000000000.00", "signed_on": "2023-12-01", "psc_rate": "0.07",
            "elective_transfer": false, "purpose": {"window": {"earmarked_to": []}}, "recorded_at": AT})),
    ]
}

/// Receipt `i` of the workload: amounts and dates vary, as in a real year.
fn receipt(i: usize) -> Request {
    let cents = 100_000 + (i * 7919) % 900_000;
    let d = i % 1_000_000 * 336 / 1_000_000; // through 2024 in order, 28-day months
    let (month, day) = (1 + d / 28, 1 + d % 28);
    request(json!({"type": "record_receipt", "agreement": "CA-NO-2024-01",
        "amount": format!("{}.{:02}", cents / 100, cents % 100),
        "received_on": format!("2024-{month:02}-{day:02}"), "reference": format!("bank ref {i}"),
        "recorded_at": AT}))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let kind = args.get(1).map(String::as_str);
    let entries: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(0);
    let batch: usize = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(100_000).max(1);
    let (setup, commands): (Vec<Request>, Box<dyn Fn(usize) -> Request>) = match kind {
        Some("receipts") if entries > 0 => (receipt_setup(), Box::new(receipt)),
        Some("mixed") if entries > 0 => {
            let all = std::cell::RefCell::new(funding_window_benches::requests(entries).into_iter());
            (Vec::new(), Box::new(move |_| all.borrow_mut().next().expect("as many requests as entries")))
        }
        _ => {
            eprintln!("usage: fw-memory receipts|mixed ENTRIES [BATCH]");
            std::process::exit(2);
        }
    };
    let before = live();
    let mut ledger = Ledger::new();
    ledger.apply_batch(setup).expect("the setup applies");
    let mut peak_over = 0usize;
    let mut done = 0usize;
    while done < entries {
        let n = batch.min(entries - done);
        let requests: Vec<Request> = (done..done + n).map(&commands).collect();
        let at_start = live();
        PEAK.store(at_start, Ordering::Relaxed);
        let applied = ledger.apply_batch(requests).expect("the workload applies");
        drop(applied);
        peak_over = peak_over.max(PEAK.load(Ordering::Relaxed) - at_start);
        done += n;
    }
    let ledger_bytes = live() - before;
    let text = ledger.to_journal().map(|t| t.len()).unwrap_or(0);
    let per = |bytes: usize| bytes as f64 / ledger.len() as f64;
    println!(
        "{kind} workload, {} entries (batches of {batch}): {ledger_bytes} bytes live, {:.0} bytes/entry, \
         of which journal text {:.0} bytes/entry; a batch's peak over the ledger: {:.0} bytes/command",
        ledger.len(),
        per(ledger_bytes),
        per(text),
        peak_over as f64 / batch.min(entries) as f64,
        kind = kind.unwrap_or_default(),
    );
    println!(
        "{{\"workload\":\"{}\",\"entries\":{},\"bytes_per_entry\":{:.1},\"text_bytes_per_entry\":{:.1},\
         \"batch\":{batch},\"batch_peak_bytes_per_command\":{:.1}}}",
        kind.unwrap_or_default(),
        ledger.len(),
        per(ledger_bytes),
        per(text),
        peak_over as f64 / batch.min(entries) as f64
    );
}
