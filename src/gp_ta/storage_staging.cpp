// Sending a write's or a create's data larger than one ITrustedStorage
// transfer as a stage in capteed (storage.hpp; decision 0031).
#include <algorithm>

#include "storage.hpp"

namespace captee::gp_ta {

TEE_Result stage_data(const captee::iface::ITrustedStorage &s, uint32_t handle, uint64_t offset,
                      std::span<const std::byte> data) {
  if (data.size() > ITrustedStorage_MAX_STAGED) {
    return TEE_ERROR_STORAGE_NO_SPACE;  // capteed would refuse it: send nothing
  }
  TEE_Result r = storage_result(s.stageBegin(handle, offset, data.size()));
  for (size_t done = 0; r == TEE_SUCCESS && done < data.size();) {
    const size_t piece = std::min<size_t>(data.size() - done, ITrustedStorage_MAX_TRANSFER);
    r = storage_result(s.stagePiece(handle, offset + done, data.subspan(done, piece)));
    done += piece;
  }
  return r;
}

}  // namespace captee::gp_ta
