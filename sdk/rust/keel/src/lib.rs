//! Keel's Rust guest runtime: what the generated bindings (`src/bindings.rs`, written by
//! `keel build`) need to speak the canonical ABI, and a few helpers for guests. No
//! dependencies, no macros; Rust 1.63 or later, `wasm32-wasi`.
//!
//! Memory the host hands to the guest (arguments of exports, results of imports) is allocated
//! through `cabi_realloc` with Rust's global allocator, so the bindings take ownership of it as
//! `String`s and `Vec`s without copying.

#![allow(clippy::missing_safety_doc)]

pub mod rt {
    use std::alloc::{self, Layout};

    /// Allocate `size` bytes aligned to `align` (a zero size gives `align`, never freed).
    pub unsafe fn alloc(size: usize, align: usize) -> i32 {
        if size == 0 {
            return align as i32;
        }
        let layout = Layout::from_size_align_unchecked(size, align);
        let ptr = alloc::alloc(layout);
        if ptr.is_null() {
            alloc::handle_alloc_error(layout);
        }
        ptr as i32
    }

    /// Free what `alloc` gave (a zero size is a no-op).
    pub unsafe fn dealloc(ptr: i32, size: usize, align: usize) {
        if size == 0 {
            return;
        }
        alloc::dealloc(ptr as *mut u8, Layout::from_size_align_unchecked(size, align));
    }

    /// `cabi_realloc`'s body: the bindings export it under that name.
    pub unsafe fn realloc(old: *mut u8, old_size: usize, align: usize, new_size: usize) -> *mut u8 {
        if old_size == 0 {
            return alloc(new_size, align) as *mut u8;
        }
        if new_size == 0 {
            dealloc(old as i32, old_size, align);
            return align as *mut u8;
        }
        let ptr = alloc::realloc(old, Layout::from_size_align_unchecked(old_size, align), new_size);
        if ptr.is_null() {
            alloc::handle_alloc_error(Layout::from_size_align_unchecked(new_size, align));
        }
        ptr
    }

    /// Frees a temporary buffer when dropped (lists lowered for an import call).
    pub struct Dealloc {
        pub ptr: i32,
        pub size: usize,
        pub align: usize,
    }

    impl Drop for Dealloc {
        fn drop(&mut self) {
            unsafe { dealloc(self.ptr, self.size, self.align) }
        }
    }

    /// Read a value at `ptr + offset` (aligned, as the canonical ABI lays it out).
    #[inline]
    pub unsafe fn load<T: Copy>(ptr: i32, offset: usize) -> T {
        core::ptr::read((ptr as usize + offset) as *const T)
    }

    /// Write a value at `ptr + offset`.
    #[inline]
    pub unsafe fn store<T>(ptr: i32, offset: usize, value: T) {
        core::ptr::write((ptr as usize + offset) as *mut T, value)
    }

    /// Take ownership of a string the host allocated (UTF-8, checked by the host).
    pub unsafe fn string(ptr: i32, len: i32) -> String {
        if len == 0 {
            return String::new();
        }
        String::from_utf8_unchecked(Vec::from_raw_parts(ptr as *mut u8, len as usize, len as usize))
    }

    /// Take ownership of a list of plain values (numbers, bool, char) the host allocated.
    pub unsafe fn list<T>(ptr: i32, len: i32) -> Vec<T> {
        if len == 0 {
            return Vec::new();
        }
        Vec::from_raw_parts(ptr as *mut T, len as usize, len as usize)
    }

    /// A string's bytes as one exact allocation (what the host reads, and post-return frees).
    pub fn string_bytes(s: String) -> Box<[u8]> {
        s.into_bytes().into_boxed_slice()
    }

    /// Bit casts for variant payloads (the canonical ABI joins float and integer slots).
    #[inline]
    pub fn f32_bits(f: f32) -> i32 {
        f.to_bits() as i32
    }
    #[inline]
    pub fn bits_f32(i: i32) -> f32 {
        f32::from_bits(i as u32)
    }
    #[inline]
    pub fn f64_bits(f: f64) -> i64 {
        f.to_bits() as i64
    }
    #[inline]
    pub fn bits_f64(i: i64) -> f64 {
        f64::from_bits(i as u64)
    }

    /// A discriminant the host should never send: the guest traps.
    #[cold]
    pub fn invalid() -> ! {
        core::arch::wasm32::unreachable()
    }
}

/// UTF-8 text of a byte body (lossy: invalid sequences become U+FFFD).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
