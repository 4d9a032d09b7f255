"""This machine as the self-check reports it: CPU instruction sets and runtime versions."""

from __future__ import annotations

import ctypes
import functools
import importlib.metadata
import mmap
import platform
from pathlib import Path

from services.inference.selfcheck.schemas import Machine

RUNTIMES = ("numpy", "pillow", "onnxruntime", "tensorflow", "keras")
# CPUID leaf 7 (subleaf, register, bit) of each flag that changes integer and float kernels.
FLAG_BITS = {
    "avx2": (0, 1, 5),
    "avx512f": (0, 1, 16),
    "avx512_vnni": (0, 2, 11),
    "avx_vnni": (1, 0, 4),
    "amx_int8": (0, 3, 25),
}
# x86-64 machine code for f(leaf, subleaf, out): eax, ebx, ecx, edx of CPUID into out[0..3].
CPUID_CODE = bytes.fromhex(
    "53"  # push rbx (callee-saved; cpuid overwrites it)
    "49 89 d0"  # mov r8, rdx (out; cpuid overwrites rdx)
    "89 f8 89 f1"  # mov eax, edi (leaf); mov ecx, esi (subleaf)
    "0f a2"  # cpuid
    "41 89 00 41 89 58 04 41 89 48 08 41 89 50 0c"  # mov [r8 + 0, 4, 8, 12], eax ebx ecx edx
    "5b c3"  # pop rbx; ret
)


def this_machine(*, runners: dict[str, str]) -> Machine:
    """The CPU flags and runtime versions here, with how each view runs."""
    return Machine(
        architecture=platform.machine(),
        cpu_flags=cpu_flags(),
        versions=runtime_versions(),
        runners=runners,
    )


def runtime_versions() -> dict[str, str]:
    """Python's version and each installed runtime's, by package metadata (nothing imported)."""
    versions = {"python": platform.python_version()}
    for name in RUNTIMES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


@functools.cache
def cpu_flags() -> dict[str, bool]:
    """Each relevant flag, from CPUID itself on x86-64: /proc/cpuinfo shows the host's flags
    under an emulator such as qemu-user, CPUID the emulated CPU's, which the kernels also see."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return _proc_cpuinfo_flags()
    try:
        cpuid = _Cpuid()
    except OSError:  # a kernel that refuses executable anonymous memory
        return _proc_cpuinfo_flags()
    if cpuid(0, 0)[0] < 7:
        return dict.fromkeys(FLAG_BITS, False)
    return {
        name: bool(cpuid(7, subleaf)[register] >> bit & 1)
        for name, (subleaf, register, bit) in FLAG_BITS.items()
    }


class _Cpuid:
    """The CPUID instruction, run from a page of executable memory that it keeps alive."""

    def __init__(self) -> None:
        self.page = mmap.mmap(
            -1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC
        )
        self.page.write(CPUID_CODE)
        address = ctypes.addressof(ctypes.c_char.from_buffer(self.page))
        self.run = ctypes.CFUNCTYPE(None, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_void_p)(
            address
        )

    def __call__(self, leaf: int, subleaf: int) -> tuple[int, int, int, int]:
        out = (ctypes.c_uint32 * 4)()
        self.run(leaf, subleaf, ctypes.addressof(out))
        return (out[0], out[1], out[2], out[3])


def _proc_cpuinfo_flags() -> dict[str, bool]:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return {}
    lines = (line for line in text.splitlines() if line.startswith(("flags", "Features")))
    words = {word for line in lines for word in line.split()}
    return {name: name in words for name in FLAG_BITS}
