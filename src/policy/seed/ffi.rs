//! ffi.rs - the seed's TLSManager behind C entry points (src/policy/seed.c
//! turns them into a struct tls_manager_ops).
//!
//! No Rust panic leaves this file. Every entry runs the seed under
//! `catch_unwind`; a panic (the seed's panic!, its debug_assert!s, its
//! expect, or an overflow check) unwinds to that catch, and the entry
//! returns 1 with the panic's own message copied into the caller's
//! buffer. The C caller then raises the simulator's kernel panic with that
//! message, from C, once every Rust frame has returned: tlssim's panics
//! jump (siglongjmp) to a catch, and a jump must never cross Rust frames.
//!
//! While the seed runs, a panic hook installed once stays quiet (the
//! message is the caller's to report); elsewhere it defers to the hook it
//! replaced.
//!
//! The seed keeps its pages private. The one view of them it offers is its
//! derived Debug form, `TLSManager { tls_pages: [TLSPage { page_address:
//! 0x.., usage: [N] }, ..] }`; the page list handed to C is read from it,
//! so `show` and the statistics report the seed's own state.

use std::any::Any;
use std::cell::Cell;
use std::os::raw::{c_char, c_int, c_uint, c_void};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use crate::paging::process_memory::ProcessMemory;
use crate::thread_local_storage::TLSManager;
use crate::VirtualAddress;

/// struct tlsm_memory of src/tls_manager.h.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct TlsmMemory {
    /// The simulator's context, first argument of every callback.
    pub ctx: *mut c_void,
    /// First fit: sets the address, returns a kernel_error code.
    pub find_available_space:
        Option<unsafe extern "C" fn(*mut c_void, usize, *mut usize) -> c_uint>,
    /// Maps a ThreadLocal page, user read-write.
    pub map: Option<unsafe extern "C" fn(*mut c_void, usize, usize) -> c_uint>,
    /// Unmaps a page (the seed never does).
    pub unmap: Option<unsafe extern "C" fn(*mut c_void, usize, usize) -> c_uint>,
}

/// struct tlsm_page of src/tls_manager.h: bit i of used is slot i.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct TlsmPage {
    /// The page's address.
    pub address: usize,
    /// Its used slots.
    pub used: u32,
}

/// One process's manager, with the process memory it maps pages in: the
/// two things the kernel passes the seed.
pub struct Seed {
    manager: TLSManager,
    pmemory: ProcessMemory,
}

thread_local! {
    /// Whether this thread is inside an entry of this file.
    static QUIET: Cell<bool> = Cell::new(false);
}

static HOOK: Once = Once::new();

/// Install, once, the hook that keeps panics of the seed off stderr.
fn install_hook() {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.try_with(|q| q.get()).unwrap_or(false) {
                previous(info);
            }
        }));
    });
}

/// The message a panic carried: a literal or a formatted String.
fn message_of(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        String::from("seed: a panic without a message")
    }
}

/// Run f with panics caught. Returns f's value, or the panic's message.
fn guarded<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    install_hook();
    let was = QUIET.with(|q| q.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    result.map_err(|payload| message_of(&*payload))
}

/// Copy text into the C buffer msg of size bytes, cut to fit, with its
/// terminating NUL. Does nothing when msg is null or size is 0.
unsafe fn put_message(msg: *mut c_char, size: usize, text: &str) {
    if msg.is_null() || size == 0 {
        return;
    }
    let n = text.len().min(size - 1);
    std::ptr::copy_nonoverlapping(text.as_ptr() as *const c_char, msg, n);
    *msg.add(n) = 0;
}

/// 0 for a value, 1 for a panic (its message into msg).
unsafe fn outcome<R>(result: Result<R, String>, msg: *mut c_char, size: usize) -> c_int {
    match result {
        Ok(_) => 0,
        Err(text) => {
            put_message(msg, size, &text);
            1
        }
    }
}

/// The number at the start of s in the given radix, and the rest of s.
fn number(s: &str, radix: u32) -> Option<(usize, &str)> {
    let end = s.find(|c: char| !c.is_digit(radix)).unwrap_or(s.len());
    let n = usize::from_str_radix(&s[..end], radix).ok()?;
    Some((n, &s[end..]))
}

/// The pages of the manager's Debug form, in its order, or None when the
/// form is not the one this file knows.
fn pages_of(manager: &TLSManager) -> Option<Vec<TlsmPage>> {
    let text = format!("{:?}", manager);
    let mut rest = text.as_str();
    let mut pages = Vec::new();

    while let Some(at) = rest.find("page_address: 0x") {
        let (address, after) = number(&rest[at + "page_address: 0x".len()..], 16)?;
        let at = after.find("usage: [")?;
        let mut bytes = &after[at + "usage: [".len()..];
        let mut used: u32 = 0;
        let mut shift = 0;
        loop {
            let (byte, after) = number(bytes, 10)?;
            if byte > 0xff || shift >= 32 {
                return None;
            }
            used |= (byte as u32) << shift;
            shift += 8;
            if let Some(more) = after.strip_prefix(", ") {
                bytes = more;
            } else {
                bytes = after.strip_prefix(']')?;
                break;
            }
        }
        pages.push(TlsmPage { address, used });
        rest = bytes;
    }
    Some(pages)
}

/// A manager holding no page over the memory *mem (copied), or null when
/// mem is null or the manager cannot be made.
#[no_mangle]
pub unsafe extern "C" fn tlssim_seed_create(mem: *const TlsmMemory) -> *mut Seed {
    if mem.is_null() {
        return std::ptr::null_mut();
    }
    let mem = *mem;
    match guarded(|| {
        Box::new(Seed {
            manager: TLSManager::default(),
            pmemory: ProcessMemory::new(mem),
        })
    }) {
        Ok(seed) => Box::into_raw(seed),
        Err(_) => std::ptr::null_mut(),
    }
}

/// Drop the manager (its pages stay mapped: the seed's memory leak). Null
/// is a no-op. Returns 1 when dropping panicked (message in msg), else 0.
#[no_mangle]
pub unsafe extern "C" fn tlssim_seed_destroy(seed: *mut Seed, msg: *mut c_char, size: usize) -> c_int {
    if seed.is_null() {
        return 0;
    }
    let seed = Box::from_raw(seed);
    outcome(guarded(move || drop(seed)), msg, size)
}

/// The seed's allocate_tls: *out and *err (0 for success, else the
/// KernelError's code). Returns 0, or 1 when the seed panicked (message
/// in msg; *err is then 0).
#[no_mangle]
pub unsafe extern "C" fn tlssim_seed_allocate(
    seed: *mut Seed,
    out: *mut usize,
    err: *mut c_uint,
    msg: *mut c_char,
    size: usize,
) -> c_int {
    let seed = &mut *seed;
    *err = 0;
    let result = guarded(|| seed.manager.allocate_tls(&mut seed.pmemory));
    match result {
        Ok(Ok(tls)) => {
            *out = tls.addr();
            0
        }
        Ok(Err(e)) => {
            *err = e.code();
            0
        }
        Err(text) => {
            put_message(msg, size, &text);
            1
        }
    }
}

/// The seed's free_tls of tls. Returns 0, or 1 when the seed panicked
/// (message in msg).
#[no_mangle]
pub unsafe extern "C" fn tlssim_seed_free(seed: *mut Seed, tls: usize, msg: *mut c_char, size: usize) -> c_int {
    let seed = &mut *seed;
    // free_tls is unsafe because the region is handed out again: the
    // kernel model frees a region only when its thread is gone.
    outcome(guarded(|| seed.manager.free_tls(VirtualAddress(tls))), msg, size)
}

/// The seed's pages, in its order, as an array of *count pages in *pages
/// (free it with tlssim_seed_pages_free). Returns 0, or 1 when they could
/// not be read (message in msg; *pages null, *count 0).
#[no_mangle]
pub unsafe extern "C" fn tlssim_seed_pages(
    seed: *const Seed,
    pages: *mut *mut TlsmPage,
    count: *mut usize,
    msg: *mut c_char,
    size: usize,
) -> c_int {
    let seed = &*seed;
    *pages = std::ptr::null_mut();
    *count = 0;
    let result = guarded(|| {
        pages_of(&seed.manager)
            .expect("seed: the TLSManager's Debug form has no page list this stand-in can read")
            .into_boxed_slice()
    });
    match result {
        Ok(list) => {
            *count = list.len();
            *pages = Box::into_raw(list) as *mut TlsmPage;
            0
        }
        Err(text) => {
            put_message(msg, size, &text);
            1
        }
    }
}

/// Free an array of tlssim_seed_pages. Null is a no-op.
#[no_mangle]
pub unsafe extern "C" fn tlssim_seed_pages_free(pages: *mut TlsmPage, count: usize) {
    if !pages.is_null() {
        drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(pages, count)));
    }
}

/// The host bytes of a manager holding pages pages: the manager and one
/// record (an address and its bitmap, padded) a page. An estimate: the
/// seed's Vec may hold spare capacity.
#[no_mangle]
pub extern "C" fn tlssim_seed_bookkeeping(pages: usize) -> usize {
    std::mem::size_of::<Seed>() + pages * 2 * std::mem::size_of::<usize>()
}
