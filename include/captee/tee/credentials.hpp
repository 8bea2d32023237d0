// Who is calling: the identity capteed decides on.
//
// The authoritative identity comes from the kernel. When a connection is
// accepted, SO_PEERCRED gives the uid, gid and pid the peer had at connect();
// capteed then reads the supplementary groups (/proc/<pid>/status "Groups:")
// and the executable (/proc/<pid>/exe: its path and the SHA-256 of its bytes).
//
// PID reuse. Between connect() and the /proc reads the peer may exit and its
// pid be reused by another process. capteed pins the process with a pidfd
// before reading /proc (SO_PEERPIDFD, which names the connecting process
// itself; pidfd_open on kernels before 6.5), checks that the uid and gid in
// /proc/<pid>/status are still the ones SO_PEERCRED reported, and checks
// afterwards that the pinned process is still alive. If any check fails the
// process-derived facts (groups, executable) are dropped (`process_verified`
// false) and only the SO_PEERCRED uid/gid count. With pidfd_open, what
// remains is the window in which the original process dies and its pid is
// reused *before* the pidfd is taken; a client can only use it to lose its
// groups and executable, or to borrow those of a process with the same uid
// and gid, which the uid/gid checks bound.
//
// Exec after connect (issue 20, finding 4). The kernel records who connected
// (SO_PEERCRED) but not what that process ran then, and a process may exec
// another binary at any time, while other processes hold the same socket.
// So the executable is taken at accept, before capteed reads anything from
// the connection (AcceptedPeer), and counts for a request only if
// ExecutableBinding says so: the request was sent (SCM_CREDENTIALS) by the
// connecting process itself, after the executable was taken, and that
// process is alive and still runs the same file. Otherwise the request is
// decided on the uid and groups alone.
//
// Claims. A client may present credentials (an IIO serving the CBOR map of
// spec §6, or an ICredentials object). They are recorded in `claims` for logs
// and diagnostics and never used to grant anything.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "captee/channel.hpp"
#include "captee/object.h"

namespace captee::tee {

// What the client said about itself. Never trusted.
struct ClientClaims {
  std::optional<uint64_t> uid;                    // CBOR key 1 (attr_uid)
  std::optional<uint64_t> system_time_ms;         // CBOR key 6 (attr_system_time)
  std::map<std::string, std::string> properties;  // ICredentials name/value pairs
  size_t encoded_size = 0;                        // bytes of CBOR read
};

struct ClientIdentity {
  uid_t uid = uid_t(-1);          // SO_PEERCRED
  gid_t gid = gid_t(-1);          // SO_PEERCRED
  pid_t pid = 0;                  // SO_PEERCRED
  std::vector<gid_t> groups;      // supplementary groups (empty if unverified)
  std::string exe_path;           // readlink(/proc/<pid>/exe), "" if unknown
  std::string exe_sha256;         // lowercase hex, "" if unknown
  bool process_verified = false;  // groups and exe belong to the connecting process
  ClientClaims claims;

  // True if `g` is the primary gid or one of the supplementary groups.
  bool in_group(gid_t g) const;
};

// Builds the identity for a freshly accepted peer. Never fails: facts that
// cannot be established are left empty (see PID reuse above).
// Thread-safety: may be called concurrently (the executable hash cache is
// synchronised).
ClientIdentity identity_from_kernel(const ucred &cred);

// Whether a connection's executable speaks for the request being served
// (see "Exec after connect" above). Made by identity_from_accept; shared by
// the connection's client environments. Thread-safe.
class ExecutableBinding {
 public:
  // The connecting process is `pid`, started at `start_time` (clock ticks
  // since boot, /proc/<pid>/stat: with the pid, one process); `dev`/`ino`
  // name the executable file it ran at accept.
  ExecutableBinding(pid_t pid, uint64_t start_time, dev_t dev, ino_t ino);

  // "" if the executable counts for the request this thread is serving
  // (current_call_origin()); otherwise why not, in a few words.
  std::string why_not_bound() const;

 private:
  pid_t pid_;
  uint64_t start_time_;
  dev_t dev_;
  ino_t ino_;
};

// Builds the identity from what the Listener took at accept: the groups
// as identity_from_kernel does, the executable from `peer.exe` (what the
// process ran at accept, not what it runs now). Closes `peer.exe`; the
// pidfd stays with `peer`.
// *binding gets what decides, per request, whether the executable counts;
// null if the identity has no executable.
ClientIdentity identity_from_accept(AcceptedPeer &peer,
                                    std::shared_ptr<const ExecutableBinding> *binding);

// SHA-256 (lowercase hex) of the file open at `fd`, read from offset 0. Empty
// string on a read error.
std::string sha256_of_fd(int fd);

// Largest CBOR credentials buffer capteed will read from a client.
constexpr size_t kMaxCredentialsBytes = 4096;

// Parses the CBOR credentials map of spec §6. Accepts both encodings the spec
// lists (libcbor's fixed-width ints and QCBOR's shortest form), any key order,
// and ignores unknown keys whose values are well-formed. Returns nullopt for
// anything that is not a definite or indefinite map of unsigned-int keys to
// well-formed values, or for trailing bytes. Never crashes on any input.
std::optional<ClientClaims> parse_cbor_credentials(std::span<const std::byte> bytes);

// Reads the CBOR from an IIO object (getLength, then readAtOffset in chunks,
// at most kMaxCredentialsBytes in total) and parses it. Object_OK and *claims
// set on success; Object_ERROR_SIZE_IN if the length is 0 or too large;
// Object_ERROR_INVALID for malformed CBOR or a misbehaving IIO; the IIO's own
// error otherwise.
int32_t read_cbor_credentials(Object iio, ClientClaims *claims);

// Reads up to 32 properties from an ICredentials object (getPropertyByIndex
// until ERROR_NOT_FOUND). Names and values are bounded to 256 bytes.
int32_t read_property_credentials(Object creds, ClientClaims *claims);

}  // namespace captee::tee
