//! lib.rs - the crate root of the policy `seed`: the Sunrise kernel's own
//! `thread_local_storage.rs`, compiled unchanged, on top of stand-ins for
//! the kernel types it uses.
//!
//! The seed file (beside this one, byte for byte the file of
//! ../shared/seed/; `make check` compares them) names its neighbours with
//! `use crate::...` and three outside crates. This crate root provides the
//! `crate::` half:
//!
//! - `VirtualAddress` and `PAGE_SIZE`, as in Sunrise's kernel;
//! - `paging::process_memory::ProcessMemory`: one process's memory, whose
//!   two methods the seed calls (`find_available_space`,
//!   `create_regular_mapping`) go to the C callbacks of struct tlsm_memory
//!   (src/tls_manager.h) that the simulator lends every manager;
//! - `paging::MappingAccessRights`, `error::KernelError`, whose codes are
//!   the C enum kernel_error's;
//! - the `const_assert_eq!` macro (Sunrise takes it from static_assertions).
//!
//! The outside crates are our stand-ins too, each compiled as its own
//! crate under the name the seed uses: bit_field.rs, sunrise_libutils.rs,
//! sunrise_libkern.rs. ffi.rs puts the seed's TLSManager behind C entry
//! points where no Rust panic can get out.
//!
//! The kernel's `Arc<Mutex<..>>` around the manager and the process memory
//! has no stand-in: the simulator calls a manager under its process's lock.

// The build holds this crate to -D warnings. Whatever the seed file itself
// triggers would be allowed here, by name, since the seed is compiled
// unchanged; rustc 1.63 and 1.95 find nothing to say about it today.
#![deny(missing_docs)]

extern crate alloc;

/// Sunrise's compile-time assertion (from the static_assertions crate):
/// fails the build when `$a != $b`.
macro_rules! const_assert_eq {
    ($a:expr, $b:expr $(,)?) => {
        const _: () = assert!($a == $b);
    };
}

use core::fmt;
use core::ops::{Add, Sub};

/// The size of a page, as in the kernel (and TLSM_PAGE_SIZE in C).
pub const PAGE_SIZE: usize = 0x1000;

/// An address in a process's user land: in the simulator, a host address.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct VirtualAddress(pub usize);

impl VirtualAddress {
    /// The address as a number.
    pub fn addr(self) -> usize {
        self.0
    }

    /// The start of the page holding the address.
    pub fn floor(self) -> VirtualAddress {
        VirtualAddress(self.0 & !(PAGE_SIZE - 1))
    }
}

impl Add<usize> for VirtualAddress {
    type Output = VirtualAddress;

    /// The address `rhs` bytes further. Panics on overflow (debug build).
    fn add(self, rhs: usize) -> VirtualAddress {
        VirtualAddress(self.0 + rhs)
    }
}

impl Sub<VirtualAddress> for VirtualAddress {
    type Output = usize;

    /// The distance from `rhs` up to `self`. Panics below (debug build).
    fn sub(self, rhs: VirtualAddress) -> usize {
        self.0 - rhs.0
    }
}

/// In hexadecimal with `0x`: the seed's panic "Freed TLS {:?} is not in
/// TLSManager." then reads as the C port's "Freed TLS 0x%lx ...", and
/// ffi.rs reads page addresses back from the manager's Debug form.
impl fmt::Debug for VirtualAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}", self.0)
    }
}

/// Paging: a process's memory and the rights of a mapping.
pub mod paging {
    /// The rights of a mapping, with the kernel's bits.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct MappingAccessRights(u8);

    impl MappingAccessRights {
        /// Readable.
        pub const READABLE: MappingAccessRights = MappingAccessRights(1);
        /// Writable.
        pub const WRITABLE: MappingAccessRights = MappingAccessRights(2);
        /// Executable.
        pub const EXECUTABLE: MappingAccessRights = MappingAccessRights(4);
        /// Reachable from user land.
        pub const USER_ACCESSIBLE: MappingAccessRights = MappingAccessRights(8);

        /// User read-write: the rights of a TLS page.
        pub fn u_rw() -> MappingAccessRights {
            MappingAccessRights(
                Self::USER_ACCESSIBLE.0 | Self::READABLE.0 | Self::WRITABLE.0,
            )
        }

        /// The bits.
        pub fn bits(self) -> u8 {
            self.0
        }
    }

    /// A process's memory: the kernel's ProcessMemory.
    pub mod process_memory {
        use super::MappingAccessRights;
        use crate::error::KernelError;
        use crate::ffi::TlsmMemory;
        use crate::VirtualAddress;
        use sunrise_libkern::MemoryType;

        /// One process's user land, reached through the callbacks the
        /// simulator lends the manager (struct tlsm_memory).
        pub struct ProcessMemory {
            mem: TlsmMemory,
        }

        impl ProcessMemory {
            /// The memory behind the callbacks of mem.
            pub fn new(mem: TlsmMemory) -> ProcessMemory {
                ProcessMemory { mem }
            }

            /// The lowest free range of `length` bytes (first fit), or the
            /// KernelError of the callback. Panics when the callback is
            /// missing (a broken simulator).
            pub fn find_available_space(
                &mut self,
                length: usize,
            ) -> Result<VirtualAddress, KernelError> {
                let find = self
                    .mem
                    .find_available_space
                    .expect("seed: no find_available_space callback");
                let mut addr: usize = 0;
                // The callback only writes addr; ctx is the simulator's.
                let code = unsafe { find(self.mem.ctx, length, &mut addr) };
                KernelError::check(code)?;
                Ok(VirtualAddress(addr))
            }

            /// Map [address, address + length) as a new mapping of kind
            /// `ty` with `rights`, or the KernelError of the callback. The
            /// simulator maps only what a TLS page is (ThreadLocal, user
            /// read-write): anything else is InvalidMemState. Panics when
            /// the callback is missing.
            pub fn create_regular_mapping(
                &mut self,
                address: VirtualAddress,
                length: usize,
                ty: MemoryType,
                rights: MappingAccessRights,
            ) -> Result<(), KernelError> {
                if ty != MemoryType::ThreadLocal || rights != MappingAccessRights::u_rw() {
                    return Err(KernelError::InvalidMemState);
                }
                let map = self.mem.map.expect("seed: no map callback");
                // The callback reads its arguments only.
                let code = unsafe { map(self.mem.ctx, address.addr(), length) };
                KernelError::check(code)
            }
        }
    }
}

/// The kernel's errors.
pub mod error {
    use std::os::raw::c_uint;

    /// A KernelError, with the codes of C's enum kernel_error.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum KernelError {
        /// No frame left (1).
        PhysicalMemoryExhaustion,
        /// No room in the address space (2).
        VirtualMemoryExhaustion,
        /// A bad address (3).
        InvalidAddress,
        /// A bad size (4).
        InvalidSize,
        /// Memory in the wrong state (5).
        InvalidMemState,
        /// The process is dead (6).
        ProcessKilled,
        /// The wrong state (7).
        InvalidState,
        /// The host refused the simulator something (0x100).
        HostRefused,
        /// A code this crate does not know, passed back unchanged.
        Other(c_uint),
    }

    impl KernelError {
        /// Ok for code 0, else the error of that code.
        pub fn check(code: c_uint) -> Result<(), KernelError> {
            Err(match code {
                0 => return Ok(()),
                1 => KernelError::PhysicalMemoryExhaustion,
                2 => KernelError::VirtualMemoryExhaustion,
                3 => KernelError::InvalidAddress,
                4 => KernelError::InvalidSize,
                5 => KernelError::InvalidMemState,
                6 => KernelError::ProcessKilled,
                7 => KernelError::InvalidState,
                0x100 => KernelError::HostRefused,
                other => KernelError::Other(other),
            })
        }

        /// The code of C's enum kernel_error.
        pub fn code(self) -> c_uint {
            match self {
                KernelError::PhysicalMemoryExhaustion => 1,
                KernelError::VirtualMemoryExhaustion => 2,
                KernelError::InvalidAddress => 3,
                KernelError::InvalidSize => 4,
                KernelError::InvalidMemState => 5,
                KernelError::ProcessKilled => 6,
                KernelError::InvalidState => 7,
                KernelError::HostRefused => 0x100,
                KernelError::Other(code) => code,
            }
        }
    }
}

/// The seed, as it is.
#[path = "thread_local_storage.rs"]
mod thread_local_storage;

mod ffi;
