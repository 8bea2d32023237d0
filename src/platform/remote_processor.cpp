#include "captee/platform/remote_processor.hpp"

#include <cstdio>
#include <cstring>

#include "captee/detail/hex.hpp"
#include "ipcc.hpp"

namespace captee::platform {

namespace {

using captee::detail::hex32;

std::string range(uint32_t da, uint64_t len) {
  return "[" + hex32(da) + ", " + hex32(da + len) + ")";
}

}  // namespace

std::unique_ptr<RemoteProcessor> RemoteProcessor::create(const ProcessorDescription &desc,
                                                         std::string *error) {
  std::vector<std::unique_ptr<MemoryRegion>> regions;
  for (const RegionDescription &r : desc.regions) {
    auto region = MemoryRegion::create(r, error);
    if (!region) {
      return nullptr;
    }
    regions.push_back(std::move(region));
  }
  return std::unique_ptr<RemoteProcessor>(new RemoteProcessor(desc, std::move(regions)));
}

RemoteProcessor::RemoteProcessor(ProcessorDescription desc,
                                 std::vector<std::unique_ptr<MemoryRegion>> regions)
    : desc_(std::move(desc)),
      regions_(std::move(regions)),
      mailbox_(desc_.mailbox_layout == MailboxLayout::kStm32Ipcc ? Ipcc::kChannels
                                                                 : Mailbox::kChannelCount) {
  std::vector<MemoryRegion *> raw;
  for (auto &r : regions_) {
    raw.push_back(r.get());
  }
  core_ = std::make_unique<CortexMCore>(desc_, std::move(raw), mailbox_);
}

RemoteProcessor::~RemoteProcessor() {
  core_.reset();  // stop the core before its memory goes away (regions wipe themselves)
  revoke_host_locked();
}

MemoryRegion *RemoteProcessor::region_for(uint32_t da, uint64_t size) {
  for (auto &r : regions_) {
    if (r->contains(da, size)) {
      return r.get();
    }
  }
  return nullptr;
}

std::span<uint8_t> RemoteProcessor::translate(uint32_t da, uint32_t size) {
  MemoryRegion *r = region_for(da, size);
  return r == nullptr ? std::span<uint8_t>() : std::span<uint8_t>(r->at(da), size);
}

Status RemoteProcessor::check_writable(uint32_t da, uint64_t len, MemoryRegion **region) {
  if (core_->state() != CoreState::kOffline) {
    return {Error::kBadState,
            std::string("the processor is ") + to_string(core_->state()) + ", not offline"};
  }
  *region = region_for(da, len);
  if (*region == nullptr) {
    return {Error::kAccessDenied, range(da, len) +
                                      " is not inside one memory region of processor " +
                                      std::to_string(desc_.id)};
  }
  return Status::success();
}

Status RemoteProcessor::load_segment(uint32_t da, std::span<const uint8_t> bytes, uint32_t memsz,
                                     const SegmentCheck &check) {
  std::lock_guard<std::mutex> lock(mu_);
  if (bytes.size() > memsz) {
    return {Error::kBadParameters, "the segment at " + hex32(da) + " has more file bytes (" +
                                       std::to_string(bytes.size()) + ") than memory (" +
                                       std::to_string(memsz) + ")"};
  }
  MemoryRegion *region = nullptr;
  if (Status s = check_writable(da, memsz, &region); !s.ok()) {
    return s;
  }
  // The check below is only worth something if nobody else can write the
  // destination: the host may hold pages only once the TA granted them, after
  // its last segment (and every LOAD_FW ends the previous grants first).
  if (granted_.active) {
    return {Error::kBadState, "the host holds grants on processor " + std::to_string(desc_.id) +
                                  "'s memory; release it before loading"};
  }
  const uint64_t start = da, end = uint64_t{da} + memsz;
  for (const Range &r : loaded_) {
    if (start < r.end && r.start < end) {
      return {Error::kBadFormat, "the segment " + range(da, memsz) +
                                     " overlaps the segment loaded at " +
                                     range(r.start, r.end - r.start)};
    }
  }
  uint8_t *dst = region->at(da);
  std::memcpy(dst, bytes.data(), bytes.size());
  // Check what landed in protected memory, not what the caller showed us.
  // Nothing else reaches these bytes before the check: the core is offline,
  // nothing is granted to the host, and the lock keeps every other operation
  // on this processor out.
  if (!check(std::span<const uint8_t>(dst, bytes.size()))) {
    explicit_bzero(dst, memsz);
    return {Error::kSecurity, "the segment at " + hex32(da) + " does not match its hash"};
  }
  std::memset(dst + bytes.size(), 0, memsz - bytes.size());
  if (memsz > 0) {
    loaded_.push_back({start, end});
  }
  return Status::success();
}

Status RemoteProcessor::set_memory(uint32_t da, uint8_t value, uint32_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  MemoryRegion *region = nullptr;
  if (Status s = check_writable(da, size, &region); !s.ok()) {
    return s;
  }
  std::memset(region->at(da), value, size);
  return Status::success();
}

Status RemoteProcessor::start(uint32_t boot_da) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string error;
  if (!core_->start(boot_da, &error)) {
    return {core_->state() == CoreState::kOffline ? Error::kBadParameters : Error::kBadState,
            error};
  }
  return Status::success();
}

Status RemoteProcessor::stop() {
  std::lock_guard<std::mutex> lock(mu_);
  core_->stop();
  return Status::success();
}

Status RemoteProcessor::release() {
  std::lock_guard<std::mutex> lock(mu_);
  if (core_->state() == CoreState::kRunning) {
    return {Error::kBadState, "the processor is running; stop it before releasing its memory"};
  }
  core_->stop();  // a crashed core is halted for good before its memory is wiped
  revoke_host_locked();
  for (auto &r : regions_) {
    r->wipe();
  }
  loaded_.clear();
  return Status::success();
}

Status RemoteProcessor::forget_segments() {
  std::lock_guard<std::mutex> lock(mu_);
  if (core_->state() != CoreState::kOffline) {
    return {Error::kBadState, "the processor is not offline"};
  }
  revoke_host_locked();
  for (auto &r : regions_) {
    r->unshare();
  }
  loaded_.clear();
  return Status::success();
}

std::unique_ptr<Soc> Soc::create(const PlatformDescription &desc, std::string *error) {
  if (std::string invalid = validate(desc); !invalid.empty()) {
    *error = invalid;
    return nullptr;
  }
  std::unique_ptr<Soc> soc(new Soc(desc));
  for (const auto &p : desc.processors) {
    auto proc = RemoteProcessor::create(p, error);
    if (!proc) {
      return nullptr;
    }
    soc->processors_.push_back(std::move(proc));
  }
  return soc;
}

RemoteProcessor *Soc::processor(uint32_t id) {
  for (auto &p : processors_) {
    if (p->id() == id) {
      return p.get();
    }
  }
  return nullptr;
}

}  // namespace captee::platform
