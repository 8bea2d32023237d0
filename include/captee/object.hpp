// captee C++ object layer: safe ownership of Mink objects, typed invocation,
// and a base class that turns a C++ class into an `Object`.
//
// The C ABI in object.h leaves reference counting to discipline: every output
// object is a new reference that someone must release exactly once. That is
// where leaks and use-after-free bugs live. This header makes the rules
// mechanical:
//  - `Ref` owns exactly one reference; copying retains, destruction releases.
//  - `Ref::invoke(op, in(...), out(...), ...)` builds the argument array in the
//    canonical BI, BO, OI, OO order and computes `ObjectCounts` at compile time,
//    so a call site cannot get the counts wrong. Output objects land in `Ref`s,
//    output sizes in the caller's variables, and only on success.
//  - `LocalObject` supplies the refcount and the reserved-op handling
//    (retain/release/unknown reserved ops) so an implementation only writes its
//    methods.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>
#include <utility>

#include "captee/object.h"

namespace captee {

// Owns one reference to an object (or nothing).
// Thread-safety: a single Ref is not synchronised; distinct Refs to the same
// object may be used from different threads (objects are required to be
// thread-safe for retain/release and invoke).
class Ref {
 public:
  Ref() noexcept = default;

  // Takes over one reference the caller already owns (e.g. an output object).
  static Ref adopt(Object o) noexcept { return Ref(o); }
  // Retains `o` and owns the new reference; the caller keeps its own.
  static Ref share(Object o) noexcept {
    if (!Object_isNull(o)) {
      (void)Object_retain(o);
    }
    return Ref(o);
  }

  Ref(const Ref &other) noexcept : obj_(other.obj_) {
    if (!Object_isNull(obj_)) {
      (void)Object_retain(obj_);
    }
  }
  Ref(Ref &&other) noexcept : obj_(std::exchange(other.obj_, Object_NULL)) {}
  Ref &operator=(const Ref &other) noexcept {
    if (this != &other) {
      Ref copy(other);
      swap(copy);
    }
    return *this;
  }
  Ref &operator=(Ref &&other) noexcept {
    if (this != &other) {
      reset();
      obj_ = std::exchange(other.obj_, Object_NULL);
    }
    return *this;
  }
  ~Ref() { reset(); }

  // Releases the owned reference, if any.
  void reset() noexcept {
    Object o = std::exchange(obj_, Object_NULL);
    if (!Object_isNull(o)) {
      (void)Object_release(o);
    }
  }
  void swap(Ref &other) noexcept { std::swap(obj_, other.obj_); }

  // The object, borrowed: valid only while this Ref holds it.
  Object get() const noexcept { return obj_; }
  // Gives the reference away: the caller now owns it (e.g. to fill an OO slot).
  [[nodiscard]] Object detach() noexcept { return std::exchange(obj_, Object_NULL); }

  bool is_null() const noexcept { return Object_isNull(obj_); }
  explicit operator bool() const noexcept { return !is_null(); }

  // Same object: the same invoke function and the same context.
  friend bool operator==(const Ref &a, const Ref &b) noexcept {
    return a.obj_.invoke == b.obj_.invoke && a.obj_.context == b.obj_.context;
  }

  // Raw invocation with a hand-built argument array. A null Ref answers
  // Object_ERROR_BADOBJ instead of crashing.
  int32_t invoke_raw(ObjectOp op, ObjectArg *args, ObjectCounts k) const {
    if (is_null()) {
      return Object_ERROR_BADOBJ;
    }
    return Object_invoke(obj_, op, args, k);
  }

  // Typed invocation; see in() and out() below. Arguments may be given in any
  // order: buffers and objects are placed in BI, BO, OI, OO order, keeping the
  // relative order within each group. On success output buffers' used sizes
  // and output objects are stored; on failure nothing is written.
  template <class... Args>
  int32_t invoke(ObjectOp op, Args &&...args) const;

 private:
  explicit Ref(Object o) noexcept : obj_(o) {}
  Object obj_ = Object_NULL;
};

// ------------------------------------------------------------ argument kinds

namespace arg {
enum class Kind { kBufIn, kBufOut, kObjIn, kObjOut };

struct BufIn {
  static constexpr Kind kind = Kind::kBufIn;
  const void *ptr;
  size_t size;
};
struct BufOut {
  static constexpr Kind kind = Kind::kBufOut;
  void *ptr;
  size_t capacity;
  size_t *used;  // may be null: then a short answer is an error (see invoke)
};
struct ObjIn {
  static constexpr Kind kind = Kind::kObjIn;
  Object obj;  // borrowed
};
struct ObjOut {
  static constexpr Kind kind = Kind::kObjOut;
  Ref *dest;
};
}  // namespace arg

// An input buffer of `size` bytes at `ptr`, borrowed for the call.
inline arg::BufIn in(const void *ptr, size_t size) {
  return {ptr, size};
}
inline arg::BufIn in(std::span<const std::byte> bytes) {
  return {bytes.data(), bytes.size()};
}
// An input object, borrowed for the call.
inline arg::ObjIn in(const Ref &r) {
  return {r.get()};
}
inline arg::ObjIn in_object(Object o) {
  return {o};
}
namespace detail {
// A value that can travel as its own bytes: a number, an enum, or a plain
// aggregate (packed IDL struct, std::array). Views such as std::span or
// std::string_view are trivially copyable too, but their bytes are pointers,
// so they are excluded.
template <class T>
concept PlainValue = std::is_trivially_copyable_v<T> &&
    (std::is_arithmetic_v<T> || std::is_enum_v<T> ||
     std::is_aggregate_v<T>)&&!std::is_same_v<std::remove_cv_t<T>, Object>;
}  // namespace detail

// An input value (a number, an enum or a packed struct), sent as its bytes.
template <detail::PlainValue T>
arg::BufIn in(const T &value) {
  return {&value, sizeof(T)};
}

// An output buffer with `capacity` bytes; `*used` receives the produced size.
inline arg::BufOut out(void *ptr, size_t capacity, size_t *used) {
  return {ptr, capacity, used};
}
inline arg::BufOut out(std::span<std::byte> bytes, size_t *used) {
  return {bytes.data(), bytes.size(), used};
}
// An output object: on success `dest` owns the new reference (the old one is
// released); on failure `dest` is unchanged.
inline arg::ObjOut out(Ref &dest) {
  return {&dest};
}
// An output value that must be filled completely (a short answer is
// Object_ERROR_SIZE_OUT).
template <detail::PlainValue T>
arg::BufOut out(T &value) {
  return {&value, sizeof(T), nullptr};
}

namespace detail {
template <arg::Kind K, class... Args>
constexpr size_t count_kind() {
  return ((std::remove_cvref_t<Args>::kind == K ? 1u : 0u) + ... + 0u);
}

template <class... Args>
struct Layout {
  static constexpr size_t bi = count_kind<arg::Kind::kBufIn, Args...>();
  static constexpr size_t bo = count_kind<arg::Kind::kBufOut, Args...>();
  static constexpr size_t oi = count_kind<arg::Kind::kObjIn, Args...>();
  static constexpr size_t oo = count_kind<arg::Kind::kObjOut, Args...>();
  static_assert(bi <= ObjectCounts_maxBI && bo <= ObjectCounts_maxBO && oi <= ObjectCounts_maxOI &&
                    oo <= ObjectCounts_maxOO,
                "at most 15 arguments of each kind");
  static constexpr size_t total = bi + bo + oi + oo;
  static constexpr ObjectCounts counts = ObjectCounts_pack(bi, bo, oi, oo);
};

struct Cursor {
  size_t bi = 0, bo = 0, oi = 0, oo = 0;
};

inline void place(ObjectArg *a, Cursor &c, const size_t (&base)[4], const arg::BufIn &x) {
  a[base[0] + c.bi++].bi = {x.ptr, x.size};
}
inline void place(ObjectArg *a, Cursor &c, const size_t (&base)[4], const arg::BufOut &x) {
  a[base[1] + c.bo++].b = {x.ptr, x.capacity};
}
inline void place(ObjectArg *a, Cursor &c, const size_t (&base)[4], const arg::ObjIn &x) {
  a[base[2] + c.oi++].o = x.obj;
}
inline void place(ObjectArg *a, Cursor &c, const size_t (&base)[4], const arg::ObjOut &) {
  a[base[3] + c.oo++].o = Object_NULL;
}

// Checks that each output buffer's reported size fits its capacity, and that
// fixed-size outputs were filled. Runs before anything is stored.
inline bool outputs_valid(const ObjectArg *a, Cursor &c, const size_t (&base)[4],
                          const arg::BufOut &x) {
  size_t got = a[base[1] + c.bo++].b.size;
  return got <= x.capacity && (x.used != nullptr || got == x.capacity);
}
template <class X>
inline bool outputs_valid(const ObjectArg *, Cursor &, const size_t (&)[4], const X &) {
  return true;
}

inline void store(ObjectArg *a, Cursor &c, const size_t (&base)[4], const arg::BufOut &x) {
  size_t got = a[base[1] + c.bo++].b.size;
  if (x.used != nullptr) {
    *x.used = got;
  }
}
inline void store(ObjectArg *a, Cursor &c, const size_t (&base)[4], const arg::ObjOut &x) {
  *x.dest = Ref::adopt(a[base[3] + c.oo++].o);
}
template <class X>
inline void store(ObjectArg *, Cursor &, const size_t (&)[4], const X &) {}

inline void drop_outputs(ObjectArg *a, size_t first, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    Object o = a[first + i].o;
    if (!Object_isNull(o)) {
      (void)Object_release(o);
    }
  }
}
}  // namespace detail

template <class... Args>
int32_t Ref::invoke(ObjectOp op, Args &&...args) const {
  using L = detail::Layout<Args...>;
  constexpr size_t base[4] = {0, L::bi, L::bi + L::bo, L::bi + L::bo + L::oi};
  ObjectArg a[L::total > 0 ? L::total : 1];
  detail::Cursor c;
  (detail::place(a, c, base, args), ...);
  int32_t rv = invoke_raw(op, L::total > 0 ? a : nullptr, L::counts);
  if (rv != Object_OK) {
    return rv;  // outputs do not exist on error
  }
  detail::Cursor check;
  bool ok = (detail::outputs_valid(a, check, base, args) && ...);
  if (!ok) {
    // The callee broke the contract; its output objects are still ours to drop.
    detail::drop_outputs(a, base[3], L::oo);
    return Object_ERROR_SIZE_OUT;
  }
  detail::Cursor out_cursor;
  (detail::store(a, out_cursor, base, args), ...);
  return Object_OK;
}

// ---------------------------------------------------------- local objects

// Base for objects implemented in C++. The object starts with one reference,
// owned by whoever created it (use make_object). Retain and release are
// handled here; every other op reaches on_invoke().
//
// Reserved ops: retain/release with non-zero counts, and any method id that is
// neither a user method (0..0x3FFF, 0x8000..0xBFFF) nor Object_OP_version,
// answer Object_ERROR_INVALID without reaching on_invoke().
//
// Thread-safety: the refcount is atomic; on_invoke may run concurrently on
// several threads, so implementations must synchronise their own state.
class LocalObject {
 public:
  LocalObject(const LocalObject &) = delete;
  LocalObject &operator=(const LocalObject &) = delete;

  // The object as a C value, borrowed (no retain). The caller must hold a
  // reference for as long as it uses the value.
  Object as_object() noexcept { return Object{&LocalObject::invoke_thunk, this}; }
  // A new counted reference to this object.
  Ref ref() noexcept { return Ref::share(as_object()); }

  // The LocalObject behind `o`, or nullptr if `o` is not a captee C++ object.
  // Borrowed: no reference is taken.
  static LocalObject *from(Object o) noexcept {
    return o.invoke == &LocalObject::invoke_thunk ? static_cast<LocalObject *>(o.context) : nullptr;
  }
  // Like from(), but also checks the dynamic type.
  template <class T>
  static T *from_as(Object o) noexcept {
    return dynamic_cast<T *>(from(o));
  }

  // Current reference count, for tests and diagnostics only.
  uint32_t ref_count() const noexcept { return refs_.load(std::memory_order_relaxed); }

 protected:
  LocalObject() = default;
  virtual ~LocalObject() = default;

  // Handles one user op. `method` is ObjectOp_methodID(op); `op` keeps the
  // transport modifier bits. Inputs are borrowed; set outputs only on success.
  virtual int32_t on_invoke(uint32_t method, ObjectOp op, ObjectArg *args, ObjectCounts k) = 0;

  // Called once, when the last reference is released, before deletion.
  virtual void on_last_release() noexcept {}

 private:
  static int32_t invoke_thunk(ObjectCxt h, ObjectOp op, ObjectArg *args, ObjectCounts k);
  std::atomic<uint32_t> refs_{1};
};

// Creates a T (derived from LocalObject) and returns the only reference to it.
template <class T, class... A>
Ref make_object(A &&...a) {
  static_assert(std::is_base_of_v<LocalObject, T>);
  T *obj = new T(std::forward<A>(a)...);
  return Ref::adopt(obj->as_object());
}

// True if `method` is an op number that user code may implement.
constexpr bool is_user_method(uint32_t method) {
  return method <= ObjectOp_METHOD_USERMAX ||
         (method >= ObjectOp_LOCAL && method <= (ObjectOp_LOCAL | ObjectOp_METHOD_USERMAX));
}

// Read-only view of an argument array, for implementations of on_invoke.
// Indexes are per section; out-of-range access is the caller's bug, so check
// counts() (or use expect()) first.
class Args {
 public:
  Args(ObjectArg *a, ObjectCounts k) : a_(a), k_(k) {}
  ObjectCounts counts() const { return k_; }
  // True if the counts are exactly (bi, bo, oi, oo).
  bool expect(size_t bi, size_t bo, size_t oi, size_t oo) const {
    return k_ == ObjectCounts_pack(bi, bo, oi, oo);
  }
  std::span<const std::byte> bi(size_t i) const {
    const ObjectBufIn &b = a_[ObjectCounts_indexBI(k_) + i].bi;
    return {static_cast<const std::byte *>(b.ptr), b.size};
  }
  ObjectBuf &bo(size_t i) const { return a_[ObjectCounts_indexBO(k_) + i].b; }
  Object oi(size_t i) const { return a_[ObjectCounts_indexOI(k_) + i].o; }
  Object &oo(size_t i) const { return a_[ObjectCounts_indexOO(k_) + i].o; }

  // Copies BI i into a T if it has exactly sizeof(T) bytes.
  template <class T>
  bool read(size_t i, T &value) const {
    static_assert(std::is_trivially_copyable_v<T>);
    auto b = bi(i);
    if (b.size() != sizeof(T)) {
      return false;
    }
    std::memcpy(&value, b.data(), sizeof(T));
    return true;
  }
  // Writes a T into BO i if its capacity is at least sizeof(T); sets the size.
  template <class T>
  bool write(size_t i, const T &value) const {
    static_assert(std::is_trivially_copyable_v<T>);
    ObjectBuf &b = bo(i);
    if (b.size < sizeof(T)) {
      return false;
    }
    std::memcpy(b.ptr, &value, sizeof(T));
    b.size = sizeof(T);
    return true;
  }

 private:
  ObjectArg *a_;
  ObjectCounts k_;
};

}  // namespace captee
