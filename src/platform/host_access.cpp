// RemoteProcessor's grants to the host and its non-secure face
// (host_grant.hpp): sharing window pages, and the resource-table firewall.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "captee/detail/hex.hpp"
#include "captee/detail/little_endian.hpp"
#include "captee/fd_object.hpp"
#include "captee/platform/remote_processor.hpp"

namespace captee::platform {

namespace {

constexpr uint32_t kAddrAny = 0xFFFFFFFFu;

using captee::detail::hex32;

struct PageSpan {
  uint64_t start = 0, end = 0;  // page-aligned, end exclusive
  bool overlaps(const PageSpan &o) const { return start < o.end && o.start < end; }
};

PageSpan pages_of(uint32_t da, uint32_t size) {
  const uint64_t end = uint64_t{da} + size;
  return {da & ~uint64_t{kPageSize - 1}, (end + kPageSize - 1) & ~uint64_t{kPageSize - 1}};
}

// Merges overlapping or touching spans of one kind.
std::vector<PageSpan> merge(std::vector<PageSpan> spans) {
  std::sort(spans.begin(), spans.end(),
            [](const PageSpan &a, const PageSpan &b) { return a.start < b.start; });
  std::vector<PageSpan> out;
  for (const PageSpan &s : spans) {
    if (!out.empty() && s.start <= out.back().end) {
      out.back().end = std::max(out.back().end, s.end);
    } else {
      out.push_back(s);
    }
  }
  return out;
}

using captee::detail::load_le32;

}  // namespace

Status RemoteProcessor::grant_host(HostGrant grant, std::vector<std::string> *refused) {
  std::lock_guard<std::mutex> lock(mu_);
  if (core_->state() != CoreState::kOffline || granted_.active) {
    return {Error::kBadState, "grants are made once per load, with the processor offline"};
  }
  if (grant.rsc_size != 0) {
    if (grant.rsc_writable.size() != grant.rsc_size ||
        region_for(grant.rsc_da, grant.rsc_size) == nullptr) {
      return {Error::kBadParameters,
              "the resource table grant does not describe one table in memory"};
    }
    for (const HostAddressField &f : grant.addresses) {
      if (f.offset > grant.rsc_size || grant.rsc_size - f.offset < 4) {
        return {Error::kBadParameters, "an address field lies outside the resource table"};
      }
    }
  } else if (!grant.rsc_writable.empty() || !grant.addresses.empty()) {
    return {Error::kBadParameters, "table rules without a table"};
  }
  const PageSpan table_pages =
      grant.rsc_size != 0 ? pages_of(grant.rsc_da, grant.rsc_size) : PageSpan{};

  // Which windows can be granted, and as which pages.
  std::vector<HostWindow> kept;
  std::vector<PageSpan> ro, rw;
  auto refuse = [&](const HostWindow &w, const std::string &why) {
    if (refused != nullptr) {
      refused->push_back(w.name + " [" + hex32(w.da) + ", " + hex32(uint64_t{w.da} + w.size) +
                         "): " + why);
    }
  };
  for (const HostWindow &w : grant.windows) {
    const PageSpan span = pages_of(w.da, w.size);
    if (w.size == 0 || span.end > 0x100000000ull ||
        region_for(static_cast<uint32_t>(span.start), span.end - span.start) == nullptr) {
      refuse(w, "not inside one memory region");
      continue;
    }
    if (w.writable && grant.rsc_size != 0 && span.overlaps(table_pages)) {
      refuse(w, "writable, but shares a page with the resource table");
      continue;
    }
    (w.writable ? rw : ro).push_back(span);
    kept.push_back(w);
  }
  const std::vector<PageSpan> ro_shares = merge(ro);
  std::vector<PageSpan> rw_ok;
  std::vector<HostWindow> windows;
  for (const HostWindow &w : kept) {
    if (w.writable) {
      const PageSpan span = pages_of(w.da, w.size);
      if (std::any_of(ro_shares.begin(), ro_shares.end(),
                      [&](const PageSpan &r) { return r.overlaps(span); })) {
        refuse(w, "writable, but shares a page with a read-only window");
        continue;
      }
      rw_ok.push_back(span);
    }
    windows.push_back(w);
  }
  const std::vector<PageSpan> rw_shares = merge(rw_ok);

  Granted g;
  g.active = true;
  auto share = [&](const PageSpan &span, bool writable) -> bool {
    const uint32_t base = static_cast<uint32_t>(span.start);
    const uint32_t len = static_cast<uint32_t>(span.end - span.start);
    MemoryRegion *r = region_for(base, len);
    std::string error;
    int fd = r == nullptr ? -1 : r->share_pages(base - r->da(), len, writable, &error);
    if (fd < 0) {
      if (refused != nullptr) {
        refused->push_back("pages [" + hex32(base) + ", " + hex32(span.end) + "): " + error);
      }
      return false;
    }
    g.shares.push_back({base, len, writable, fd});
    return true;
  };
  for (const PageSpan &s : ro_shares) {
    share(s, false);
  }
  for (const PageSpan &s : rw_shares) {
    share(s, true);
  }
  // A window whose pages could not be shared is not granted either.
  std::erase_if(windows, [&](const HostWindow &w) {
    const PageSpan span = pages_of(w.da, w.size);
    return std::none_of(g.shares.begin(), g.shares.end(), [&](const SharedPages &s) {
      return s.writable == w.writable && s.base_da <= span.start &&
             span.end <= uint64_t{s.base_da} + s.size;
    });
  });
  grant.windows = std::move(windows);
  g.grant = std::move(grant);
  granted_ = std::move(g);
  return Status::success();
}

void RemoteProcessor::revoke_host_locked() {
  for (SharedPages &s : granted_.shares) {
    close(s.fd);
  }
  granted_ = {};
}

bool RemoteProcessor::host_granted() const {
  std::lock_guard<std::mutex> lock(mu_);
  return granted_.active;
}

Status RemoteProcessor::host_map(uint32_t da, uint32_t size, HostPages *out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!granted_.active) {
    return {Error::kAccessDenied, "no firmware is loaded, so nothing is shared with the host"};
  }
  const uint64_t end = uint64_t{da} + size;
  const HostWindow *window = nullptr;
  for (const HostWindow &w : granted_.grant.windows) {
    if (size != 0 && da >= w.da && end <= uint64_t{w.da} + w.size) {
      window = &w;
      break;
    }
  }
  if (window == nullptr) {
    return {Error::kAccessDenied,
            "[" + hex32(da) + ", " + hex32(end) + ") is not inside a resource the firmware shares"};
  }
  const PageSpan span = pages_of(window->da, window->size);
  for (const SharedPages &s : granted_.shares) {
    if (s.writable == window->writable && s.base_da <= span.start &&
        span.end <= uint64_t{s.base_da} + s.size) {
      int fd = dup(s.fd);
      if (fd < 0) {
        return {Error::kGeneric, "cannot duplicate the shared pages' descriptor"};
      }
      out->memory =
          FdObject::adopt(fd, s.writable ? FdObject::kRead | FdObject::kWrite : FdObject::kRead);
      out->base_da = s.base_da;
      out->size = s.size;
      out->writable = s.writable;
      return Status::success();
    }
  }
  return {Error::kAccessDenied, window->name + " is not shared"};
}

Status RemoteProcessor::host_read_table(std::vector<uint8_t> *bytes, uint32_t *da) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!granted_.active || granted_.grant.rsc_size == 0) {
    return {Error::kAccessDenied, granted_.active ? "the loaded firmware has no resource table"
                                                  : "no firmware is loaded"};
  }
  std::span<uint8_t> table = translate(granted_.grant.rsc_da, granted_.grant.rsc_size);
  bytes->assign(table.begin(), table.end());
  *da = granted_.grant.rsc_da;
  return Status::success();
}

Status RemoteProcessor::host_write_table(uint32_t offset, std::span<const uint8_t> bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  const HostGrant &g = granted_.grant;
  if (!granted_.active || g.rsc_size == 0) {
    return {Error::kAccessDenied, granted_.active ? "the loaded firmware has no resource table"
                                                  : "no firmware is loaded"};
  }
  if (offset > g.rsc_size || bytes.size() > g.rsc_size - offset) {
    return {Error::kBadParameters, "the write [" + std::to_string(offset) + ", +" +
                                       std::to_string(bytes.size()) + ") leaves the " +
                                       std::to_string(g.rsc_size) + "-byte resource table"};
  }
  std::span<uint8_t> table = translate(g.rsc_da, g.rsc_size);
  // The table as it would be after the write, to judge whole fields.
  std::vector<uint8_t> next(table.begin(), table.end());
  std::memcpy(next.data() + offset, bytes.data(), bytes.size());
  for (size_t i = offset; i < offset + bytes.size(); i++) {
    if (next[i] != table[i] && g.rsc_writable[i] == 0) {
      return {Error::kSecurity, "byte " + std::to_string(i) +
                                    " of the resource table is signed and the host may not "
                                    "change it"};
    }
  }
  for (const HostAddressField &f : g.addresses) {
    const uint32_t value = load_le32(next.data() + f.offset);
    if (value == f.verified || value == load_le32(table.data() + f.offset)) {
      continue;
    }
    bool allowed = false;
    if (f.verified == kAddrAny && value != kAddrAny) {
      const MemoryRegion *r = region_for(value, f.span);
      allowed = r != nullptr && !r->description().secure;
      // Or inside a reserved-memory window the host was shared read-write.
      for (const HostWindow &w : g.windows) {
        allowed = allowed || (w.reserved && w.writable && value >= w.da &&
                              uint64_t{value} + f.span <= uint64_t{w.da} + w.size);
      }
    }
    if (!allowed) {
      return {Error::kSecurity,
              "the address at byte " + std::to_string(f.offset) + " of the resource table may be " +
                  (f.verified == kAddrAny ? "set only to non-secure or shared reserved memory"
                                          : "only its signed value " + hex32(f.verified)) +
                  ", not " + hex32(value)};
    }
  }
  std::memcpy(table.data() + offset, bytes.data(), bytes.size());
  return Status::success();
}

}  // namespace captee::platform
