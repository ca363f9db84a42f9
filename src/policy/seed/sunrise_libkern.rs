//! sunrise_libkern.rs - our stand-in for Sunrise's `sunrise_libkern`
//! crate, compiled as the crate `sunrise_libkern`: the two types the seed
//! uses, `MemoryType` and the 0x200-byte `TLS` region. Their values and
//! layout are libkern's (see ../shared/seed/NOTES.md), and the same as
//! struct tls in src/tls_manager.h.

#![deny(missing_docs)]

use core::mem::size_of;

/// The kind of a mapping, with libkern's values.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum MemoryType {
    Unmapped = 0,
    Io = 1,
    Normal = 2,
    CodeStatic = 3,
    CodeMutable = 4,
    Heap = 5,
    SharedMemory = 6,
    Alias = 7,
    ModuleCodeStatic = 8,
    ModuleCodeMutable = 9,
    Ipc = 0xA,
    Stack = 0xB,
    ThreadLocal = 0xC,
    TransferMemoryIsolated = 0xD,
    TransferMemory = 0xE,
    ProcessMemory = 0xF,
    Reserved = 0x10,
    NonSecureIpc = 0x11,
    NonDeviceIpc = 0x12,
    KernelStack = 0x13,
    CodeReadOnly = 0x14,
    CodeWritable = 0x15,
}

/// A thread's Thread Local Storage: 0x200 bytes in user land.
#[repr(C, align(16))]
pub struct TLS {
    /// The region's own address, set by the kernel at first schedule.
    pub ptr_self: *mut TLS,
    _reserved0: [u8; 16 - size_of::<usize>()],
    /// The IPC command buffer, written by user code.
    pub ipc_command_buffer: [u8; 0x100],
    _reserved1: [u8; 0x200 - 0x110 - size_of::<usize>()],
    /// User-controlled; the kernel never reads it.
    pub ptr_thread_context: usize,
}

// The layout libkern promises and src/tls_manager.h repeats.
const _: () = assert!(size_of::<TLS>() == 0x200);
