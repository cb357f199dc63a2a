//! Exports of types.wit in Rust, against the canonical ABI by hand (no bindings generator): each
//! export returns the value it was given, where the host's lowering put it. A list is (pointer,
//! length) in and the same in the return area out; `one-big`'s 23 flat values pass as a pointer
//! to the tuple in memory, handed back as a list of one element at that pointer.
use std::alloc::{alloc, realloc, Layout};

/// The canonical ABI's allocator.
#[no_mangle]
pub unsafe extern "C" fn cabi_realloc(ptr: *mut u8, old: usize, align: usize, new: usize) -> *mut u8 {
    if new == 0 {
        return align as *mut u8;
    }
    let p = if ptr.is_null() || old == 0 {
        alloc(Layout::from_size_align_unchecked(new, align))
    } else {
        realloc(ptr, Layout::from_size_align_unchecked(old, align), new)
    };
    if p.is_null() {
        core::arch::wasm32::unreachable();
    }
    p
}

/// One return area for every export: a list's (pointer, length).
#[repr(C, align(4))]
struct RetArea([u32; 2]);
static mut RET: RetArea = RetArea([0; 2]);

unsafe fn ret_list(ptr: u32, len: u32) -> *mut u32 {
    let r = std::ptr::addr_of_mut!(RET.0) as *mut u32;
    *r = ptr;
    *r.add(1) = len;
    r
}

// shapes: func(x: list<shape>) -> list<shape>
#[export_name = "shapes"]
pub unsafe extern "C" fn shapes(ptr: u32, len: u32) -> *mut u32 {
    ret_list(ptr, len)
}

// results: func(x: list<rr>) -> list<rr>
#[export_name = "results"]
pub unsafe extern "C" fn results(ptr: u32, len: u32) -> *mut u32 {
    ret_list(ptr, len)
}

// bigs: func(x: list<big>) -> list<big>
#[export_name = "bigs"]
pub unsafe extern "C" fn bigs(ptr: u32, len: u32) -> *mut u32 {
    ret_list(ptr, len)
}

// one-big: func(x: big) -> list<big> (the parameters in memory: one tuple of one big, laid out as a big)
#[export_name = "one-big"]
pub unsafe extern "C" fn one_big(ptr: u32) -> *mut u32 {
    ret_list(ptr, 1)
}
