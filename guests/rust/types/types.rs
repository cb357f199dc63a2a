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

// ---- keel:rust-types/cells: a cell is a boxed u32; its rep is the box's address ----

#[link(wasm_import_module = "[export]keel:rust-types/cells")]
extern "C" {
    #[link_name = "[resource-new]cell"]
    fn cell_new(rep: u32) -> u32;
    #[link_name = "[resource-rep]cell"]
    fn cell_rep(handle: u32) -> u32;
    #[link_name = "[resource-drop]cell"]
    fn cell_drop(handle: u32);
}

static mut FREED: u32 = 0;

unsafe fn new_cell(v: u32) -> u32 {
    cell_new(Box::into_raw(Box::new(v)) as u32)
}

#[export_name = "keel:rust-types/cells#[constructor]cell"]
pub unsafe extern "C" fn cell_constructor(v: u32) -> u32 {
    new_cell(v)
}

// A borrow of the guest's own resource arrives as its rep.
#[export_name = "keel:rust-types/cells#[method]cell.value"]
pub unsafe extern "C" fn cell_value(rep: u32) -> u32 {
    *(rep as *const u32)
}

#[export_name = "keel:rust-types/cells#[dtor]cell"]
pub unsafe extern "C" fn cell_dtor(rep: u32) {
    drop(Box::from_raw(rep as *mut u32));
    FREED += 1;
}

#[export_name = "keel:rust-types/cells#make-cells"]
pub unsafe extern "C" fn make_cells(n: u32) -> *mut u32 {
    let handles: Vec<u32> = (0..n).map(|v| new_cell(v)).collect();
    let len = handles.len() as u32;
    let ptr = if len == 0 { 4 } else { Box::leak(handles.into_boxed_slice()).as_mut_ptr() as u32 };
    ret_list(ptr, len)
}

#[export_name = "keel:rust-types/cells#sum"]
pub unsafe extern "C" fn sum(ptr: *const u32, len: usize) -> u32 {
    std::slice::from_raw_parts(ptr, len).iter().fold(0u32, |s, rep| s.wrapping_add(*(*rep as *const u32)))
}

#[export_name = "keel:rust-types/cells#take"]
pub unsafe extern "C" fn take(ptr: *const u32, len: usize) -> u32 {
    let mut s = 0u32;
    for handle in std::slice::from_raw_parts(ptr, len) {
        s = s.wrapping_add(*(cell_rep(*handle) as *const u32));
        cell_drop(*handle);
    }
    s
}

#[export_name = "keel:rust-types/cells#echo"]
pub unsafe extern "C" fn echo(ptr: u32, len: u32) -> *mut u32 {
    ret_list(ptr, len)
}

#[export_name = "keel:rust-types/cells#freed"]
pub unsafe extern "C" fn freed() -> u32 {
    FREED
}
