// Revocable, attenuating forwarders for objects: membranes.
//
// Handing someone a plain forwarder that you can switch off later ("revocable
// wrapper") does not revoke anything that flows *through* it. If Bob holds a
// wrapped reference to Carol, every object Carol returns to Bob, and every
// object Bob passes to Carol, travels unwrapped; after revocation Bob keeps
// talking to those objects, and Carol keeps the objects Bob gave her.
//
// A membrane closes that gap. It wraps the target, and on every call through
// any of its wrappers it wraps each object crossing the boundary, in either
// direction, as an input or an output, in the same membrane. An object that
// crosses back to the side it came from is unwrapped, so identity is kept and
// nothing is wrapped twice. Revoking the membrane cuts every wrapper at once:
// each call answers Object_ERROR_DEFUNCT, and the membrane drops all the
// references it held, immediately.
//
// A policy decides, per direction and method id, which calls may cross.
// Attenuation ("this holder may only call ops 0 and 2") is such a policy.
// Because a membrane wrapper is an ordinary object, all of this works across
// processes with no new wire concepts.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>

#include "captee/object.hpp"

namespace captee {

// Which way a call crosses the membrane.
enum class Direction {
  // From the outside (the holder of the wrapped reference) to an object
  // inside (the target, or anything the inside returned through it).
  kInward,
  // From the inside to an object the outside passed in through the membrane.
  kOutward,
};

// Decides which method ids may cross in which direction. Reserved ops
// (retain/release) are always handled by the wrapper itself and never asked.
// A denied call answers Object_ERROR_INVALID, as if the method did not exist,
// the same answer an IDL skeleton gives for an op it does not implement.
class MembranePolicy {
 public:
  using Predicate = std::function<bool(Direction, uint32_t method)>;

  // Everything crosses. Revocation is then the only restriction.
  static MembranePolicy allow_all();
  // Inward calls may use only `methods`; outward calls (callbacks into objects
  // the holder passed in) are unrestricted.
  static MembranePolicy only_inward(std::initializer_list<uint32_t> methods);
  // Any rule at all. `allows` must be thread-safe; it runs on the calling thread.
  static MembranePolicy custom(Predicate allows);

  bool allows(Direction d, uint32_t method) const { return allows_(d, method); }

 private:
  explicit MembranePolicy(Predicate p) : allows_(std::move(p)) {}
  Predicate allows_;
};

// The revoke handle of a membrane. It is itself an object (the IRevoker
// interface: op 0 `revoke`, no arguments), so it can be held in another domain;
// this class is the in-process C++ face of it.
//
// Ownership: copies share the one handle. Thread-safety: revoke() may race
// with calls through the membrane; calls already inside the target finish,
// and every later call answers Object_ERROR_DEFUNCT.
class Revoker {
 public:
  // Op number of `revoke` in the IRevoker interface.
  static constexpr uint32_t kOpRevoke = 0;

  Revoker() = default;
  explicit Revoker(Ref handle) : handle_(std::move(handle)) {}

  // Revokes the membrane. Idempotent. Returns Object_OK, or the error from
  // invoking the handle (e.g. Object_ERROR_UNAVAIL if it lives in a dead peer).
  int32_t revoke() const { return handle_.invoke(kOpRevoke); }

  // The handle as an object, to pass to another domain.
  const Ref &handle() const { return handle_; }

 private:
  Ref handle_;
};

// What make_membrane returns: the wrapped reference to give away, and the
// handle that revokes it and everything that came through it.
struct Membrane {
  Ref wrapped;
  Revoker revoker;
};

// Wraps `target` in a new membrane governed by `policy`.
// Ownership: `target` is retained by the membrane (the caller keeps its own
// reference); the membrane's references are dropped on revocation or when the
// last wrapper goes. A null target yields a null `wrapped`.
Membrane make_membrane(const Ref &target, MembranePolicy policy = MembranePolicy::allow_all());

// True if `o` is a wrapper of some membrane (for tests and diagnostics).
bool is_membrane_wrapper(Object o) noexcept;

}  // namespace captee
