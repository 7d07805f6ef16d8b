//! The clock and OS randomness that a service's run sees, for code idemsim
//! did not write.
//!
//! A service pulls in crates that read the wall clock
//! (`SystemTime::now`, `chrono::Utc::now`), the monotonic clock
//! (`Instant::now`) and the operating system's randomness (`rand::rng()`,
//! `Uuid::new_v4`, the keys of std's `HashMap`). Outside idemsim's control,
//! those readings would make a run impossible to replay from its seed, and a
//! five-minute cache would never expire in simulated time. So this module
//! defines the C library's entry points for them — `clock_gettime`,
//! `gettimeofday`, `time`, `getrandom` and `getentropy` — in the program
//! itself. A definition in the program takes precedence over the C
//! library's:
//!
//! * calls compiled into the program (std's clock and its `HashMap` keys,
//!   and any crate that calls `libc::clock_gettime` or `libc::getrandom`)
//!   are bound to these definitions when the program is linked;
//! * names looked up while the program runs (`dlsym(RTLD_DEFAULT, …)`, which
//!   is how the `getrandom` crate behind `rand` and `uuid` finds
//!   `getrandom`, and the dynamic linker serving other shared libraries)
//!   find them too, because the linker exports a program's definition of a
//!   name that a shared library it links against (the C library) also
//!   defines.
//!
//! On a thread running a service's simulation ([`on_own_thread`]) they
//! answer from the run: the wall clocks read the simulation's clock from
//! [`crate::world::EPOCH_MS`], skipped quiet time included; the monotonic
//! clocks advance with it from [`reading::MONOTONIC_BASE_S`]; randomness is the
//! run's ChaCha stream `os-random`. Everywhere else (any other thread, this
//! thread outside a run) they hand the call to the C library's own
//! functions, found with `dlsym(RTLD_NEXT, …)` when the program starts (so
//! clock reads still go through the vDSO), or make the system call it would
//! have made; nothing changes there.
//!
//! # Why a thread of its own
//!
//! std keeps its `HashMap` keys per thread (drawn once, then counted up for
//! every map), `rand::rng()` keeps a generator per thread (seeded once), and
//! tokio keeps a generator per thread. Seeded inside one run and reused by
//! the next, they would make two runs of one seed differ. Each service run
//! therefore runs on a new thread whose first random draw comes from the
//! run, so all of them start from the seed. (A run of a built-in design runs
//! only idemsim's code, whose behaviour depends on neither, and stays on
//! its caller's thread, where these functions answer as the C library
//! does.)
//!
//! # Not covered
//!
//! * Code that reads time or randomness without these five C functions:
//!   system calls made directly (`rustix`'s default backend, the
//!   `getrandom` crate built with `getrandom_backend="linux_raw"`), the vDSO
//!   called directly, reads of `/dev/urandom`, CPU instructions (`rdtsc`,
//!   `rdrand`), and other C library functions that read the clock inside
//!   the library (`timespec_get`, `clock`, `times`).
//! * CPU-time clocks (`CLOCK_PROCESS_CPUTIME_ID`, `CLOCK_THREAD_CPUTIME_ID`,
//!   per-thread and per-process clock ids) and unknown clock ids answer
//!   from the kernel: they measure work the real processor did, which no
//!   simulated clock stands for, and making them up would mislead profilers.
//!   Code whose behaviour depends on them does not replay.
//! * State kept across runs in a process (a `static`, a `OnceLock`), and
//!   tokio's per-runtime generator, which a process-wide counter seeds: it
//!   picks the branch of a `tokio::select!` without `biased;`.
//! * Platforms other than 64-bit Linux with the GNU C library (x86_64 and
//!   aarch64): there nothing is replaced.
//!
//! # Linking
//!
//! A definition in a library crate reaches the program only if the linker
//! takes its object file. Starting a session refers to every function
//! defined here ([`Session::begin`]), and every service run starts one, so
//! any program that can run a service has them. `tests/suite/interposition.rs`
//! fails if they are not in effect, in the test binary and in the `services`
//! example. A program that defines these names itself (another crate that
//! replaces the clock) cannot be linked with idemsim: the linker refuses
//! two definitions.

#![allow(unsafe_code)]

/// Runs `run` on a new thread whose clock and randomness are the run's
/// (`seed`'s), and returns what it returns. A panic that escapes `run` is
/// resumed on the calling thread. Fails only when no thread can be started.
pub(crate) fn on_own_thread<R, F>(seed: u64, clock: WorldClock, run: F) -> std::io::Result<R>
where
    R: Send,
    F: FnOnce() -> R + Send,
{
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("idemsim-run".to_string())
            .spawn_scoped(scope, move || {
                // Before anything else on the thread: its first draw of
                // randomness (std's HashMap keys, say) must come from the run.
                let _session = Session::begin(seed, clock);
                run()
            })?;
        match handle.join() {
            Ok(output) => Ok(output),
            Err(payload) => std::panic::resume_unwind(payload),
        }
    })
}

/// Reads the simulated milliseconds since the run began from the world
/// this thread runs, or `None` while there is none (being set up or torn
/// down). The world registers it when a session begins, so that this module,
/// below the world, never names it.
pub(crate) type WorldClock = fn() -> Option<u64>;

/// Whether this thread's clock and randomness are a run's right now.
pub(crate) fn active() -> bool {
    imp::active()
}

/// While alive, this thread's clock and randomness are a run's.
pub(crate) struct Session {
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Session {
    /// Makes this thread's clock (read from `clock`) and randomness those
    /// of the run with seed `seed`, until the session is dropped.
    #[inline(never)]
    pub(crate) fn begin(seed: u64, clock: WorldClock) -> Session {
        imp::link();
        imp::begin(crate::seed::derive_rng(seed, "os-random"), clock);
        Session {
            _not_send: std::marker::PhantomData,
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        imp::end();
    }
}

/// The simulated clocks, from simulated milliseconds since the run began.
#[cfg_attr(
    not(all(
        target_os = "linux",
        target_env = "gnu",
        target_pointer_width = "64",
        any(target_arch = "x86_64", target_arch = "aarch64")
    )),
    allow(dead_code, reason = "nothing is replaced on this platform")
)]
mod reading {
    use crate::vocab::EPOCH_MS;

    /// Where the monotonic clocks start in a run: one million seconds (about
    /// 11.6 days), as if the simulated machine had been up that long, so
    /// that code that subtracts a day or a week from `Instant::now()` does
    /// not underflow.
    pub const MONOTONIC_BASE_S: u64 = 1_000_000;

    /// The wall clock: seconds and nanoseconds since the Unix epoch.
    pub fn wall(ms: u64) -> (u64, u32) {
        split_ms(EPOCH_MS.saturating_add(ms))
    }

    /// The monotonic clock: seconds and nanoseconds since an imagined boot.
    pub fn monotonic(ms: u64) -> (u64, u32) {
        split_ms(MONOTONIC_BASE_S.saturating_mul(1_000).saturating_add(ms))
    }

    fn split_ms(ms: u64) -> (u64, u32) {
        // Below 1,000 ms times 1,000,000: always fits in a u32.
        (ms / 1_000, (ms % 1_000) as u32 * 1_000_000)
    }
}

#[cfg(all(
    target_os = "linux",
    target_env = "gnu",
    target_pointer_width = "64",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
mod imp {
    //! The definitions, and the per-thread state they answer from.
    //!
    //! Every `unsafe` block of the crate is in this module; each says why it
    //! is sound. The functions keep the C library's contracts: they are
    //! called by code that upholds them (valid pointers, or null where the
    //! contract allows it) and report errors through `errno` as it does.

    use super::reading;
    use libc::{c_int, c_uint, c_void, clockid_t, size_t, ssize_t, time_t, timespec, timeval};
    use rand::RngCore;
    use rand_chacha::ChaCha8Rng;
    use std::cell::{Cell, RefCell};
    use std::sync::atomic::{AtomicPtr, Ordering};

    type ClockGettime = unsafe extern "C" fn(clockid_t, *mut timespec) -> c_int;
    type Gettimeofday = unsafe extern "C" fn(*mut timeval, *mut c_void) -> c_int;
    type Time = unsafe extern "C" fn(*mut time_t) -> time_t;

    /// The C library's own clock functions, which read the clock through
    /// the vDSO without entering the kernel. tokio reads the clock on every
    /// turn of a runtime, so outside a run (a design's run, say) a system
    /// call for each read would cost more than the run itself. Null until
    /// found, or if not found: the system call then.
    pub(super) static REAL_CLOCK_GETTIME: AtomicPtr<c_void> = AtomicPtr::new(std::ptr::null_mut());
    pub(super) static REAL_GETTIMEOFDAY: AtomicPtr<c_void> = AtomicPtr::new(std::ptr::null_mut());
    pub(super) static REAL_TIME: AtomicPtr<c_void> = AtomicPtr::new(std::ptr::null_mut());

    /// Finds the C library's functions when the program starts: the
    /// dynamic linker has loaded and initialised every library by then, and
    /// no code of the program runs yet, so `dlsym` is called where it is
    /// always safe to call (never from inside a clock read, which may
    /// happen in a signal handler).
    // SAFETY: `.init_array` holds pointers to functions the C runtime calls
    // at start; this static is one such pointer, to a function of the C
    // calling convention (the arguments the runtime passes are ignored,
    // which that convention allows) that only looks up symbols.
    #[used]
    #[unsafe(link_section = ".init_array")]
    static FIND_REAL: extern "C" fn() = find_real;

    extern "C" fn find_real() {
        let ours: [*mut c_void; 3] = [
            clock_gettime as *mut c_void,
            gettimeofday as *mut c_void,
            time as *mut c_void,
        ];
        let slots = [&REAL_CLOCK_GETTIME, &REAL_GETTIMEOFDAY, &REAL_TIME];
        let names = [c"clock_gettime", c"gettimeofday", c"time"];
        for ((slot, name), ours) in slots.into_iter().zip(names).zip(ours) {
            // SAFETY: a NUL-terminated name; RTLD_NEXT finds the definition
            // after this program's, the C library's.
            let found = unsafe { libc::dlsym(libc::RTLD_NEXT, name.as_ptr()) };
            // Our own definition (if the search came back to it) would call
            // itself forever: keep the system call instead.
            if found != ours {
                slot.store(found, Ordering::Release);
            }
        }
    }

    /// The C library's function in `slot`, if found, as a `F`.
    ///
    /// # Safety
    ///
    /// `F` is the type of the C function `slot` holds.
    unsafe fn real<F: Copy>(slot: &AtomicPtr<c_void>) -> Option<F> {
        let found = slot.load(Ordering::Acquire);
        // SAFETY: a non-null pointer stored by `find_real` is the C
        // library's definition of the function, of type `F` (the caller's
        // promise); a data pointer and a function pointer have the same
        // size and representation on the platforms this module is built for.
        (!found.is_null()).then(|| unsafe { std::mem::transmute_copy::<*mut c_void, F>(&found) })
    }

    thread_local! {
        /// Whether a session is active on this thread. Const-initialised and
        /// without a destructor, so reading it never fails, even while the
        /// thread is being torn down.
        static ACTIVE: Cell<bool> = const { Cell::new(false) };
        /// The last simulated millisecond a clock read returned in this
        /// session: a clock read when the world is not reachable returns it,
        /// so that the monotonic clocks never go back.
        static LAST_MS: Cell<u64> = const { Cell::new(0) };
        /// The session's randomness (no destructor either).
        static RNG: RefCell<Option<ChaCha8Rng>> = const { RefCell::new(None) };
        /// Where the session reads the world's clock.
        static CLOCK: Cell<Option<super::WorldClock>> = const { Cell::new(None) };
    }

    /// Refers to every definition, so that the object file holding them is
    /// linked into every program that starts a session.
    pub fn link() {
        let definitions: [*const (); 5] = [
            clock_gettime as *const (),
            gettimeofday as *const (),
            time as *const (),
            getrandom as *const (),
            getentropy as *const (),
        ];
        std::hint::black_box(definitions);
    }

    pub fn begin(rng: ChaCha8Rng, clock: super::WorldClock) {
        assert!(!active(), "one session at a time on a thread");
        RNG.with(|r| *r.borrow_mut() = Some(rng));
        CLOCK.with(|c| c.set(Some(clock)));
        LAST_MS.with(|l| l.set(0));
        ACTIVE.with(|a| a.set(true));
    }

    pub fn end() {
        ACTIVE.with(|a| a.set(false));
        RNG.with(|r| *r.borrow_mut() = None);
        CLOCK.with(|c| c.set(None));
        LAST_MS.with(|l| l.set(0));
    }

    pub fn active() -> bool {
        ACTIVE.with(Cell::get)
    }

    /// The simulated milliseconds since the run began, if this thread is in
    /// a session.
    fn session_ms() -> Option<u64> {
        if !active() {
            return None;
        }
        let last = LAST_MS.with(Cell::get);
        // Unwinding out of an `extern "C"` function aborts the process; a
        // panic reading the world (a broken invariant) is left to the run's
        // panic capture, which fails the run, and the clock stands still.
        let world = CLOCK
            .with(Cell::get)
            .and_then(|clock| std::panic::catch_unwind(clock).ok().flatten());
        let ms = world.map_or(last, |ms| ms.max(last));
        LAST_MS.with(|l| l.set(ms));
        Some(ms)
    }

    /// Fills `len` bytes at `buf` from the session's randomness; false if
    /// this thread is not in a session.
    ///
    /// # Safety
    ///
    /// `buf` is valid for writes of `len` bytes.
    unsafe fn fill_from_session(buf: *mut u8, len: usize) -> bool {
        RNG.with(|r| {
            // A borrow that fails would be a call from inside this very
            // fill; ChaCha calls nothing, so it cannot happen. Were it to,
            // the kernel answers rather than a panic aborting the process.
            let Ok(mut slot) = r.try_borrow_mut() else {
                return false;
            };
            let Some(rng) = slot.as_mut() else {
                return false;
            };
            // The bytes go through a buffer of our own: `buf` may be
            // uninitialised, so no `&mut [u8]` may be made of it.
            let mut chunk = [0u8; 256];
            let mut done = 0;
            while done < len {
                let n = (len - done).min(chunk.len());
                rng.fill_bytes(&mut chunk[..n]);
                // SAFETY: `done + n <= len` and the caller guarantees `buf`
                // is valid for `len` bytes; `chunk` is ours, so the two do
                // not overlap.
                unsafe { std::ptr::copy_nonoverlapping(chunk.as_ptr(), buf.add(done), n) };
                done += n;
            }
            true
        })
    }

    fn set_errno(code: c_int) {
        // SAFETY: `__errno_location` returns this thread's `errno`, valid
        // for the thread's whole life.
        unsafe { *libc::__errno_location() = code };
    }

    fn errno() -> c_int {
        // SAFETY: as in `set_errno`.
        unsafe { *libc::__errno_location() }
    }

    /// The simulated reading of `clock`, if the run answers for it.
    fn simulated(clock: clockid_t, ms: u64) -> Option<timespec> {
        let (secs, nanos) = match clock {
            libc::CLOCK_REALTIME
            | libc::CLOCK_REALTIME_COARSE
            | libc::CLOCK_REALTIME_ALARM
            // The kernel's TAI offset is 0 until an NTP daemon sets it.
            | libc::CLOCK_TAI => reading::wall(ms),
            libc::CLOCK_MONOTONIC
            | libc::CLOCK_MONOTONIC_RAW
            | libc::CLOCK_MONOTONIC_COARSE
            | libc::CLOCK_BOOTTIME
            | libc::CLOCK_BOOTTIME_ALARM => reading::monotonic(ms),
            // CPU-time and dynamic clocks: see the module's documentation.
            _ => return None,
        };
        Some(timespec {
            tv_sec: time_t::try_from(secs).unwrap_or(time_t::MAX),
            tv_nsec: i64::from(nanos),
        })
    }

    /// `clock_gettime(2)`.
    ///
    /// # Safety
    ///
    /// `tp` is null or valid for a write of a `timespec`.
    #[unsafe(no_mangle)]
    pub(super) unsafe extern "C" fn clock_gettime(clock: clockid_t, tp: *mut timespec) -> c_int {
        let Some(t) = session_ms().and_then(|ms| simulated(clock, ms)) else {
            // SAFETY: the caller's arguments, passed on to the C library's
            // function of this very type, or to the system call it makes;
            // the kernel checks the clock id and the pointer (EINVAL,
            // EFAULT).
            return unsafe {
                match real::<ClockGettime>(&REAL_CLOCK_GETTIME) {
                    Some(real) => real(clock, tp),
                    None => libc::syscall(libc::SYS_clock_gettime, clock, tp) as c_int,
                }
            };
        };
        if tp.is_null() {
            set_errno(libc::EFAULT);
            return -1;
        }
        // SAFETY: not null, and the caller guarantees it is valid for a write.
        unsafe { tp.write(t) };
        0
    }

    /// `gettimeofday(2)`.
    ///
    /// # Safety
    ///
    /// `tv` is null or valid for a write of a `timeval`; `tz` is null or
    /// valid for a write of a `struct timezone` (two `int`s).
    #[unsafe(no_mangle)]
    pub(super) unsafe extern "C" fn gettimeofday(tv: *mut timeval, tz: *mut c_void) -> c_int {
        let Some(ms) = session_ms() else {
            // SAFETY: as in `clock_gettime`.
            return unsafe {
                match real::<Gettimeofday>(&REAL_GETTIMEOFDAY) {
                    Some(real) => real(tv, tz),
                    None => libc::syscall(libc::SYS_gettimeofday, tv, tz) as c_int,
                }
            };
        };
        let (secs, nanos) = reading::wall(ms);
        if !tv.is_null() {
            let value = timeval {
                tv_sec: time_t::try_from(secs).unwrap_or(time_t::MAX),
                tv_usec: libc::suseconds_t::from(nanos / 1_000),
            };
            // SAFETY: not null, and the caller guarantees it is valid.
            unsafe { tv.write(value) };
        }
        if !tz.is_null() {
            // The simulated machine keeps UTC, as the kernel's default
            // timezone (zero minutes west, no daylight saving) says.
            // SAFETY: not null, and the caller guarantees it is valid for
            // a `struct timezone`, which is two `int`s.
            unsafe { tz.cast::<[c_int; 2]>().write([0, 0]) };
        }
        0
    }

    /// `time(2)`.
    ///
    /// # Safety
    ///
    /// `t` is null or valid for a write of a `time_t`.
    #[unsafe(no_mangle)]
    pub(super) unsafe extern "C" fn time(t: *mut time_t) -> time_t {
        let secs = match session_ms() {
            Some(ms) => time_t::try_from(reading::wall(ms).0).unwrap_or(time_t::MAX),
            None => {
                // SAFETY: as in `clock_gettime`.
                if let Some(real) = unsafe { real::<Time>(&REAL_TIME) } {
                    // SAFETY: the caller's argument, for the same function.
                    return unsafe { real(t) };
                }
                // Not every architecture has a `time` system call; the C
                // library reads the real-time clock, and so does this.
                let mut now = timespec::default();
                let tp: *mut timespec = &mut now;
                // SAFETY: `tp` points to a `timespec` of our own.
                let ok =
                    unsafe { libc::syscall(libc::SYS_clock_gettime, libc::CLOCK_REALTIME, tp) };
                if ok != 0 {
                    return -1;
                }
                now.tv_sec
            }
        };
        if !t.is_null() {
            // SAFETY: not null, and the caller guarantees it is valid.
            unsafe { t.write(secs) };
        }
        secs
    }

    /// The most one `getrandom` call returns, as the kernel's limit.
    const MAX_GETRANDOM: usize = 33_554_431;

    /// `getrandom(2)`.
    ///
    /// # Safety
    ///
    /// `buf` is valid for writes of `len` bytes.
    #[unsafe(no_mangle)]
    pub(super) unsafe extern "C" fn getrandom(
        buf: *mut c_void,
        len: size_t,
        flags: c_uint,
    ) -> ssize_t {
        if !active() {
            // SAFETY: as in `clock_gettime`.
            return unsafe { libc::syscall(libc::SYS_getrandom, buf, len, flags) } as ssize_t;
        }
        // The kernel's checks, so that a caller probing for flags learns
        // what it would learn from the kernel.
        let known = libc::GRND_NONBLOCK | libc::GRND_RANDOM | libc::GRND_INSECURE;
        let both = libc::GRND_RANDOM | libc::GRND_INSECURE;
        if flags & !known != 0 || flags & both == both {
            set_errno(libc::EINVAL);
            return -1;
        }
        let len = len.min(MAX_GETRANDOM);
        if len == 0 {
            return 0;
        }
        if buf.is_null() {
            set_errno(libc::EFAULT);
            return -1;
        }
        // SAFETY: the caller guarantees `buf` is valid for `len` bytes (and
        // more, if `len` was cut to the limit).
        if unsafe { fill_from_session(buf.cast::<u8>(), len) } {
            // `len` is at most MAX_GETRANDOM, far below `ssize_t::MAX`.
            len as ssize_t
        } else {
            // SAFETY: as in `clock_gettime`.
            unsafe { libc::syscall(libc::SYS_getrandom, buf, len, flags) as ssize_t }
        }
    }

    /// `getentropy(3)`: at most 256 bytes, all or an error.
    ///
    /// # Safety
    ///
    /// `buf` is valid for writes of `len` bytes.
    #[unsafe(no_mangle)]
    pub(super) unsafe extern "C" fn getentropy(buf: *mut c_void, len: size_t) -> c_int {
        if len > 256 {
            set_errno(libc::EIO);
            return -1;
        }
        if len == 0 {
            return 0;
        }
        if buf.is_null() {
            set_errno(libc::EFAULT);
            return -1;
        }
        // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
        if active() && unsafe { fill_from_session(buf.cast::<u8>(), len) } {
            return 0;
        }
        const NO_FLAGS: c_uint = 0;
        let mut done = 0;
        while done < len {
            // SAFETY: `done < len`, so `buf + done` and the `len - done`
            // bytes after it are inside the caller's buffer.
            let got = unsafe {
                libc::syscall(
                    libc::SYS_getrandom,
                    buf.cast::<u8>().add(done),
                    len - done,
                    NO_FLAGS,
                )
            };
            match usize::try_from(got) {
                Ok(n) => done += n,
                Err(_) if errno() == libc::EINTR => continue,
                Err(_) => return -1,
            }
        }
        0
    }
}

#[cfg(not(all(
    target_os = "linux",
    target_env = "gnu",
    target_pointer_width = "64",
    any(target_arch = "x86_64", target_arch = "aarch64")
)))]
mod imp {
    //! Elsewhere nothing is replaced; a session only marks the thread.

    use rand_chacha::ChaCha8Rng;
    use std::cell::Cell;

    thread_local! {
        static ACTIVE: Cell<bool> = const { Cell::new(false) };
    }

    pub fn link() {}

    pub fn begin(_rng: ChaCha8Rng, _clock: super::WorldClock) {
        assert!(!active(), "one session at a time on a thread");
        ACTIVE.with(|a| a.set(true));
    }

    pub fn end() {
        ACTIVE.with(|a| a.set(false));
    }

    pub fn active() -> bool {
        ACTIVE.with(Cell::get)
    }
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    //! The C entry points called directly, in a session with no world (the
    //! clock reads the run's start) and outside one.

    use super::reading::MONOTONIC_BASE_S;
    use super::*;
    use crate::vocab::EPOCH_MS;

    /// A session with no world: its clock stays at the run's start.
    fn no_world() -> Option<u64> {
        None
    }

    fn clock(id: libc::clockid_t) -> (u64, u32) {
        let mut t = libc::timespec::default();
        // SAFETY (test): `t` is ours.
        let rc = unsafe { libc::clock_gettime(id, &mut t) };
        assert_eq!(rc, 0);
        (t.tv_sec as u64, t.tv_nsec as u32)
    }

    fn raw_clock(id: libc::clockid_t) -> (u64, u32) {
        let mut t = libc::timespec::default();
        let tp: *mut libc::timespec = &mut t;
        // SAFETY (test): `t` is ours.
        let rc = unsafe { libc::syscall(libc::SYS_clock_gettime, id, tp) };
        assert_eq!(rc, 0);
        (t.tv_sec as u64, t.tv_nsec as u32)
    }

    fn random(session_seed: Option<u64>, len: usize) -> Vec<u8> {
        let _session = session_seed.map(|seed| Session::begin(seed, no_world));
        let mut buf = vec![0u8; len];
        // SAFETY (test): `buf` is ours and `len` long.
        let got = unsafe { libc::getrandom(buf.as_mut_ptr().cast(), len, 0) };
        assert_eq!(got, len as isize);
        buf
    }

    #[test]
    fn in_a_session_the_clocks_read_the_runs_start_and_randomness_its_seed() {
        let _session = Session::begin(7, no_world);
        assert!(active());
        let epoch = (EPOCH_MS / 1_000, 0);
        for id in [
            libc::CLOCK_REALTIME,
            libc::CLOCK_REALTIME_COARSE,
            libc::CLOCK_TAI,
        ] {
            assert_eq!(clock(id), epoch, "clock {id}");
        }
        for id in [
            libc::CLOCK_MONOTONIC,
            libc::CLOCK_MONOTONIC_RAW,
            libc::CLOCK_MONOTONIC_COARSE,
            libc::CLOCK_BOOTTIME,
        ] {
            assert_eq!(clock(id), (MONOTONIC_BASE_S, 0), "clock {id}");
        }
        // SAFETY (test): null is allowed for `time`'s argument.
        assert_eq!(unsafe { libc::time(std::ptr::null_mut()) } as u64, epoch.0);
        let mut tv = libc::timeval {
            tv_sec: 0,
            tv_usec: 1,
        };
        let mut tz = [7 as libc::c_int; 2];
        // SAFETY (test): both are ours, `tz` two ints as `struct timezone` is.
        let rc = unsafe { libc::gettimeofday(&mut tv, tz.as_mut_ptr().cast()) };
        assert_eq!(
            (rc, tv.tv_sec as u64, tv.tv_usec, tz),
            (0, epoch.0, 0, [0, 0])
        );
        // std reads the same clocks.
        assert_eq!(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .ok(),
            Some(u128::from(EPOCH_MS))
        );
        let at = std::time::Instant::now();
        assert_eq!(at.elapsed(), std::time::Duration::ZERO);
    }

    #[test]
    fn randomness_is_the_seeds_in_every_entry_point() {
        let a = random(Some(1), 100);
        assert_eq!(a, random(Some(1), 100), "the same seed, the same bytes");
        assert_ne!(a, random(Some(2), 100), "another seed, other bytes");
        assert_ne!(random(None, 32), random(None, 32), "outside: the kernel's");
        let _session = Session::begin(1, no_world);
        let mut entropy = [0u8; 100];
        // SAFETY (test): `entropy` is ours.
        assert_eq!(
            unsafe { libc::getentropy(entropy.as_mut_ptr().cast(), 100) },
            0
        );
        let mut fresh = crate::seed::derive_rng(1, "os-random");
        let mut expected = [0u8; 100];
        rand::RngCore::fill_bytes(&mut fresh, &mut expected);
        assert_eq!(entropy, expected, "getentropy draws the same stream");
        let mut big = [0u8; 257];
        // SAFETY (test): `big` is ours.
        assert_eq!(
            unsafe { libc::getentropy(big.as_mut_ptr().cast(), 257) },
            -1
        );
        // SAFETY (test): as above; the flags are refused before any write.
        let refused = unsafe {
            libc::getrandom(
                big.as_mut_ptr().cast(),
                8,
                libc::GRND_RANDOM | libc::GRND_INSECURE,
            )
        };
        assert_eq!(refused, -1);
    }

    #[test]
    fn std_keys_its_hash_maps_from_the_seed_on_a_runs_thread() {
        use std::hash::BuildHasher;
        let hash = |seed| {
            on_own_thread(seed, no_world, || {
                std::collections::hash_map::RandomState::new().hash_one("key")
            })
            .expect("a thread starts")
        };
        assert_eq!(hash(1), hash(1), "the same seed, the same keys");
        assert_ne!(hash(1), hash(2), "another seed, other keys");
    }

    #[test]
    fn cpu_clocks_answer_from_the_kernel_and_outside_a_session_every_clock_does() {
        {
            let _session = Session::begin(3, no_world);
            // The process has run for some time; the simulated clocks
            // would say it had not.
            let cpu = clock(libc::CLOCK_PROCESS_CPUTIME_ID);
            assert_ne!(cpu, (0, 0));
            assert_ne!(cpu, (MONOTONIC_BASE_S, 0));
        }
        assert!(!active());
        let before = raw_clock(libc::CLOCK_MONOTONIC);
        let ours = clock(libc::CLOCK_MONOTONIC);
        let after = raw_clock(libc::CLOCK_MONOTONIC);
        assert!(
            before <= ours && ours <= after,
            "{before:?} {ours:?} {after:?}"
        );
    }

    #[test]
    fn outside_a_run_the_c_librarys_own_clock_functions_answer() {
        // Found when the program started: the constructor ran, and found
        // the C library's definitions, not these.
        for (slot, ours) in [
            (
                &imp::REAL_CLOCK_GETTIME,
                imp::clock_gettime as *mut libc::c_void,
            ),
            (
                &imp::REAL_GETTIMEOFDAY,
                imp::gettimeofday as *mut libc::c_void,
            ),
            (&imp::REAL_TIME, imp::time as *mut libc::c_void),
        ] {
            let found = slot.load(std::sync::atomic::Ordering::Acquire);
            assert!(!found.is_null());
            assert_ne!(found, ours);
        }
    }

    #[test]
    fn a_session_runs_on_its_own_thread_and_ends_with_it() {
        let (inside, thread_active) = on_own_thread(5, no_world, || {
            (
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_millis())
                    .ok(),
                active(),
            )
        })
        .expect("a thread starts");
        assert_eq!(inside, Some(u128::from(EPOCH_MS)));
        assert!(thread_active);
        assert!(!active(), "the caller's thread is untouched");
        let caught = std::panic::catch_unwind(|| on_own_thread(5, no_world, || panic!("inside")));
        assert!(caught.is_err(), "a panic inside reaches the caller");
    }
}
