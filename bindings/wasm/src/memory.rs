//! The module's heap: counted, optionally capped, and its failures remembered.
//!
//! WebAssembly memory is at most 4 GiB. The core grows its large buffers (the journal, its
//! index, a batch's commands and results) with `try_reserve`, so running out there is the
//! core's `OUT_OF_MEMORY` and nothing changes. Any other allocation that fails aborts the module
//! (a trap, `RuntimeError: unreachable`); the JavaScript guard (`guard.js`) then stops the ledger
//! whose call trapped, and this allocator's record of the failed request lets the error say it
//! was memory ([`last_failure`]).
//!
//! The allocator wraps the platform's (dlmalloc on `wasm32-unknown-unknown`) and counts the bytes
//! live, their peak, and refuses requests beyond a limit a page may set (`setMemoryLimit`): a
//! dashboard can keep a ledger from taking a browser tab's memory, and the tests can run out of
//! memory in milliseconds instead of filling 4 GiB.
//!
//! It also grows the module's memory ahead of need, by a quarter at a time ([`make_room`]):
//! dlmalloc asks for 64 KiB more whenever it runs out, and each `memory.grow` costs the engine
//! tens of microseconds (it also makes the JavaScript glue rebuild its views of the memory); a
//! batch of a million commands grew the memory some 45,000 times, for about two seconds.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The global allocator of the module.
pub struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// Most bytes live at once; `usize::MAX`: no limit but the memory's own.
static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);
/// Size of the last request refused (by the limit or by the platform), 0 if none since read.
static FAILED: AtomicUsize = AtomicUsize::new(0);

/// The least the memory grows by at a time, when it grows ahead of need.
#[cfg(target_arch = "wasm32")]
const GROW_STEP_MIN_BYTES: usize = 16 << 20;

/// When the bytes live plus a request come within an eighth of the memory's size, grows the
/// memory by a quarter (at least [`GROW_STEP_MIN_BYTES`] and the request): a block that large is
/// taken from the platform's allocator and given back at once, which leaves it free at the top of
/// the heap for what follows. If the memory cannot grow that much, nothing happens (the request
/// itself then grows what it needs, or fails).
fn make_room(size: usize) {
    #[cfg(target_arch = "wasm32")]
    {
        let memory = core::arch::wasm32::memory_size::<0>() * 65536;
        let live = LIVE.load(Ordering::Relaxed);
        if live.saturating_add(size) <= memory - memory / 8 {
            return;
        }
        let step = (memory / 4).max(GROW_STEP_MIN_BYTES).max(size);
        if let Ok(layout) = Layout::from_size_align(step, 16) {
            // SAFETY: a block of a valid layout, given back as it came.
            unsafe {
                let block = System.alloc(layout);
                if !block.is_null() {
                    System.dealloc(block, layout);
                }
            }
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = size;
}

impl Counting {
    fn admit(size: usize) -> bool {
        let live = LIVE.load(Ordering::Relaxed);
        if live.saturating_add(size) > LIMIT.load(Ordering::Relaxed) {
            FAILED.store(size.max(1), Ordering::Relaxed);
            return false;
        }
        true
    }

    fn grew(size: usize) {
        let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
        PEAK.fetch_max(live, Ordering::Relaxed);
    }

    fn failed(size: usize) {
        FAILED.store(size.max(1), Ordering::Relaxed);
    }
}

// SAFETY: every request is passed on to the platform's allocator unchanged, or refused with a
// null pointer (which every caller of `GlobalAlloc` handles); only sizes are counted.
unsafe impl GlobalAlloc for Counting {
    #[inline(never)]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !Self::admit(layout.size()) {
            return std::ptr::null_mut();
        }
        make_room(layout.size());
        let p = unsafe { System.alloc(layout) };
        if p.is_null() {
            Self::failed(layout.size());
        } else {
            Self::grew(layout.size());
        }
        p
    }

    #[inline(never)]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !Self::admit(layout.size()) {
            return std::ptr::null_mut();
        }
        make_room(layout.size());
        let p = unsafe { System.alloc_zeroed(layout) };
        if p.is_null() {
            Self::failed(layout.size());
        } else {
            Self::grew(layout.size());
        }
        p
    }

    #[inline(never)]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    #[inline(never)]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            if !Self::admit(new_size - layout.size()) {
                return std::ptr::null_mut();
            }
            make_room(new_size);
        }
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            Self::failed(new_size);
        } else {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            Self::grew(new_size);
        }
        p
    }
}

/// Bytes live on the heap.
pub fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// Most bytes live at once since [`reset_peak`].
pub fn peak() -> usize {
    PEAK.load(Ordering::Relaxed)
}

/// Starts a new peak from what is live now.
pub fn reset_peak() {
    PEAK.store(live(), Ordering::Relaxed);
}

/// The limit on live bytes (`None`: only the memory's own).
pub fn limit() -> Option<usize> {
    Some(LIMIT.load(Ordering::Relaxed)).filter(|&l| l != usize::MAX)
}

/// Sets (or, with `None`, removes) the limit on live bytes.
pub fn set_limit(bytes: Option<usize>) {
    LIMIT.store(bytes.unwrap_or(usize::MAX), Ordering::Relaxed);
}

/// The size of the last allocation refused since the last call, if any (read once).
pub fn last_failure() -> Option<usize> {
    Some(FAILED.swap(0, Ordering::Relaxed)).filter(|&n| n > 0)
}
