//! The binary's allocator: the system's (glibc's, tuned by [`crate::limiter_memoire_retenue`]),
//! with its large blocks backed by huge pages where the system offers them.
//!
//! A block of several megabytes (an input file, its table of fields, the structures, their
//! result lines) is mapped on its own and touched once, page by page: at 100 000 structures
//! the first touches cost some 40 000 page faults, a tenth of the wall time. Advised as huge
//! pages (`madvise(MADV_HUGEPAGE)`, what glibc's `glibc.malloc.hugetlb=1` setting does), each
//! fault brings 2 Mio at once: 41 000 → 19 600 faults, 410 → 361 ms, the same peak memory
//! (only whole 2 Mio pages inside such a block are advised). Not beyond [`PLAFOND`]: at
//! 1 000 000 structures (blocks of 170 to 370 Mo) the system spent more time clearing fresh
//! huge pages than the faults saved (3,76 → 4,27 s on the benchmark machine, a virtual
//! machine); a block grown past it is advised back to ordinary pages. A hint only: a system
//! without transparent huge pages, or refusing the advice, behaves as before.

use std::alloc::{GlobalAlloc, Layout, System};

/// [`System`], large blocks advised as huge pages. Declared by the binary
/// (`#[global_allocator]`); the library does not depend on it.
pub struct Allocateur;

/// Blocks from this size on are advised…
const SEUIL: usize = 4 << 20;
/// …up to this size (blocks grown beyond it go back to ordinary pages).
const PLAFOND: usize = 64 << 20;
/// A transparent huge page on x86-64 and most 64-bit systems.
const PAGE_ENORME: usize = 2 << 20;

/// Advises the whole huge pages inside the block `[p, p + taille)` just (re)allocated: huge
/// pages from [`SEUIL`] to [`PLAFOND`], ordinary ones beyond (a block advised before it grew).
fn conseiller(p: *mut u8, taille: usize) {
    #[cfg(target_os = "linux")]
    if !p.is_null() && taille >= SEUIL {
        let conseil = if taille <= PLAFOND {
            libc::MADV_HUGEPAGE
        } else {
            libc::MADV_NOHUGEPAGE
        };
        let debut = (p as usize).next_multiple_of(PAGE_ENORME);
        let fin = (p as usize).saturating_add(taille) & !(PAGE_ENORME - 1);
        if fin > debut {
            // SAFETY: advice on whole pages inside a block allocated to us: it changes
            // neither its contents nor its validity; a refusal changes nothing
            unsafe {
                libc::madvise(debut as *mut libc::c_void, fin - debut, conseil);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (p, taille);
}

// SAFETY: every call is passed to `System` unchanged; the advice only concerns memory of a
// block just returned by it
unsafe impl GlobalAlloc for Allocateur {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = System.alloc(l);
        conseiller(p, l.size());
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(l);
        conseiller(p, l.size());
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        System.dealloc(p, l)
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, taille: usize) -> *mut u8 {
        let q = System.realloc(p, l, taille);
        conseiller(q, taille);
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks under and over the threshold, grown and shrunk through the allocator, keep
    /// their bytes (the advice changes no content).
    #[test]
    fn les_blocs_gardent_leur_contenu() {
        let a = Allocateur;
        for taille in [
            64,
            SEUIL - 1,
            SEUIL,
            3 * SEUIL + 12_345,
            PLAFOND - 1,
            PLAFOND + 1,
        ] {
            let l = Layout::from_size_align(taille, 16).expect("disposition");
            // SAFETY: a non-zero layout; the block is written within its size, grown, read
            // within the old size, then freed with its current layout
            unsafe {
                let p = a.alloc(l);
                assert!(!p.is_null());
                for i in (0..taille).step_by(4093) {
                    *p.add(i) = (i % 251) as u8;
                }
                let q = a.realloc(p, l, taille * 2);
                assert!(!q.is_null());
                for i in (0..taille).step_by(4093) {
                    assert_eq!(*q.add(i), (i % 251) as u8);
                }
                a.dealloc(
                    q,
                    Layout::from_size_align(taille * 2, 16).expect("disposition"),
                );
                let z = a.alloc_zeroed(l);
                assert!((0..taille).step_by(4093).all(|i| *z.add(i) == 0));
                a.dealloc(z, l);
            }
        }
    }
}
