// Objects crossing the connection: what a local object, a proxy or a
// descriptor becomes in a frame (encode_objects), and what a received object
// reference becomes here (materialize).
#include <iterator>

#include "captee/fd_object.hpp"
#include "channel_impl.hpp"

namespace captee::detail {

using wire::ObjRef;
using wire::RefType;

int32_t ChannelImpl::export_object(Object o, uint32_t &handle) {
  bool first_export = false;
  if (int32_t rv = exports_.add(o, limits_.max_exports, handle, first_export); rv != Object_OK) {
    return rv;
  }
  if (first_export) {
    start_pool();
  }
  return Object_OK;
}

void ChannelImpl::unexport_now(uint32_t handle, uint32_t count) {
  Object drop = Object_NULL;
  if (!exports_.release(handle, count, drop)) {
    violation("peer released more references than it was given");
    return;
  }
  if (!Object_isNull(drop)) {
    (void)Object_release(drop);
    maybe_auto_close();
  }
}

int32_t ChannelImpl::encode_objects(const ObjectArg *objs, size_t n, ObjRef *refs, int *fds,
                                    size_t &nfds, OwnedFds &owned) {
  for (size_t i = 0; i < n; ++i) {
    Object o = objs[i].o;
    int32_t rv = Object_OK;
    if (Object_isNull(o)) {
      refs[i] = ObjRef{};
      continue;
    }
    if (Proxy *p = as_proxy(o); p != nullptr && p->ch.get() == this) {
      refs[i] = ObjRef{RefType::kReceiverHosted, 0, p->handle};
      continue;
    }
    LocalObject *local = LocalObject::from(o);
    if (auto *fo = dynamic_cast<FdObject *>(local); fo != nullptr) {
      if (nfds >= limits_.max_fds) {
        rv = Object_ERROR_MAXARGS;
      } else {
        refs[i] = ObjRef{RefType::kFd, fo->rights(), uint32_t(nfds)};
        fds[nfds++] = fo->fd();
      }
    } else if (auto *d = peer_accepts_channels_ ? dynamic_cast<DirectObject *>(local) : nullptr;
               d != nullptr && nfds < limits_.max_fds && owned.n < std::size(owned.fd) &&
               send_direct(d, refs[i], fds, nfds, owned)) {
      // sent as a CHANNEL reference: the peer will reach the object itself
    } else {
      uint32_t h = 0;
      rv = export_object(o, h);
      refs[i] = ObjRef{RefType::kSenderHosted, 0, h};
    }
    if (rv != Object_OK) {
      undo_exports(refs, i);
      return rv;
    }
  }
  return Object_OK;
}

void ChannelImpl::undo_exports(const ObjRef *refs, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (refs[i].type == RefType::kSenderHosted) {
      unexport_now(refs[i].handle, 1);
    }
  }
}

bool ChannelImpl::materialize(const std::vector<ObjRef> &refs, FdList &fds, Object *out,
                              bool &channels, const char **violation) {
  bool ok = true;
  size_t next_fd = 0;  // fd and channel references use the descriptors in order
  for (size_t i = 0; i < refs.size(); ++i) {
    const ObjRef &r = refs[i];
    out[i] = Object_NULL;
    switch (r.type) {
      case RefType::kNull:
        break;
      case RefType::kSenderHosted:
        out[i] = import_proxy(r.handle);
        if (Object_isNull(out[i])) {
          ok = false;
          queue_release(r.handle, 1);  // keep the peer's count right
        }
        break;
      case RefType::kReceiverHosted:
        out[i] = exports_.lookup(r.handle);
        ok = ok && !Object_isNull(out[i]);
        break;
      case RefType::kFd:
        out[i] = FdObject::adopt(fds.take(next_fd++), r.rights).detach();
        break;
      case RefType::kChannel:
        out[i] = receive_channel_ref(fds.take(next_fd++), r.handle, violation);
        channels = channels || !Object_isNull(out[i]);
        break;
    }
  }
  return ok;
}

}  // namespace captee::detail
