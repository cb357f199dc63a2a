//! Exports of abi.wit in Rust, against the canonical ABI by hand (no bindings generator): each
//! export's core signature is the flattening CanonicalABI.md gives its WIT type, results past
//! one flat value go through a return area, and memory comes from std's allocator.
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

/// One return area for every export (16 bytes, aligned to 8: an option<u64> is the largest).
#[repr(C, align(8))]
struct RetArea([u8; 16]);
static mut RET: RetArea = RetArea([0; 16]);

unsafe fn ret() -> *mut u8 {
    RET.0.as_mut_ptr()
}

unsafe fn text<'a>(ptr: *const u8, len: usize) -> &'a str {
    std::str::from_utf8_unchecked(std::slice::from_raw_parts(ptr, len))
}

/// A Vec's buffer handed to the host: (pointer, length) in the return area.
unsafe fn ret_list<T>(v: Vec<T>) -> *mut u8 {
    let len = v.len();
    let ptr = if len == 0 { std::mem::align_of::<T>() as *mut T } else { Box::leak(v.into_boxed_slice()).as_mut_ptr() };
    let r = ret() as *mut u32;
    *r = ptr as u32;
    *r.add(1) = len as u32;
    ret()
}

fn leak_str(s: &str) -> (u32, u32) {
    let b: Box<[u8]> = s.as_bytes().into();
    let len = b.len() as u32;
    (if len == 0 { 1 } else { Box::leak(b).as_ptr() as u32 }, len)
}

// count-chars: func(s: string) -> u32
#[export_name = "count-chars"]
pub unsafe extern "C" fn count_chars(ptr: *const u8, len: usize) -> u32 {
    text(ptr, len).chars().count() as u32
}

// next-char: func(c: char) -> char (the next Unicode scalar value, wrapping past U+10FFFF)
#[export_name = "next-char"]
pub extern "C" fn next_char(c: u32) -> u32 {
    match c {
        0xd7ff => 0xe000,
        0x10ffff => 0,
        _ => c + 1,
    }
}

// sign: func(x: s64) -> result (ok for x >= 0)
#[export_name = "sign"]
pub extern "C" fn sign(x: i64) -> u32 {
    (x < 0) as u32
}

// bump-deep: func(x: option<option<u8>>) -> option<option<u8>>: the u8 plus one, wrapping.
#[export_name = "bump-deep"]
pub unsafe extern "C" fn bump_deep(outer: u32, inner: u32, value: u32) -> *mut u8 {
    let r = ret();
    *r = outer as u8;
    *r.add(1) = if outer == 1 { inner as u8 } else { 0 };
    *r.add(2) = if outer == 1 && inner == 1 { (value as u8).wrapping_add(1) } else { 0 };
    r
}

// toggle: func(p: perms) -> perms: every flag flipped.
#[export_name = "toggle"]
pub extern "C" fn toggle(p: u32) -> u32 {
    !p & 0b111
}

// color-name: func(c: color) -> string
#[export_name = "color-name"]
pub unsafe extern "C" fn color_name(c: u32) -> *mut u8 {
    let name = ["red", "green", "blue"][c as usize];
    let (p, n) = leak_str(name);
    let r = ret() as *mut u32;
    *r = p;
    *r.add(1) = n;
    ret()
}

// halve: func(x: f32) -> f32
#[export_name = "halve"]
pub extern "C" fn halve(x: f32) -> f32 {
    x / 2.0
}

// words: func(s: string) -> list<string>: split on whitespace.
#[export_name = "words"]
pub unsafe extern "C" fn words(ptr: *const u8, len: usize) -> *mut u8 {
    let list: Vec<[u32; 2]> = text(ptr, len).split_whitespace().map(|w| { let (p, n) = leak_str(w); [p, n] }).collect();
    ret_list(list)
}

/// span: record { start: u32, len: u16, first: char } (size 12, align 4; `first` at 8).
#[repr(C)]
struct Span {
    start: u32,
    len: u16,
    first: u32,
}

// spans: func(s: string) -> list<span>: each word's byte offset, byte length and first char.
#[export_name = "spans"]
pub unsafe extern "C" fn spans(ptr: *const u8, len: usize) -> *mut u8 {
    let s = text(ptr, len);
    let list: Vec<Span> = s
        .split_whitespace()
        .map(|w| Span {
            start: (w.as_ptr() as usize - s.as_ptr() as usize) as u32,
            len: w.len() as u16,
            first: w.chars().next().unwrap() as u32,
        })
        .collect();
    ret_list(list)
}

// max: func(values: list<u64>) -> option<u64>
#[export_name = "max"]
pub unsafe extern "C" fn max(ptr: *const u64, len: usize) -> *mut u8 {
    let r = ret();
    match std::slice::from_raw_parts(ptr, len).iter().max() {
        Some(m) => {
            *r = 1;
            *(r.add(8) as *mut u64) = *m;
        }
        None => *r = 0,
    }
    r
}
