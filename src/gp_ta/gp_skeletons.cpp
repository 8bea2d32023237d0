#include "captee/gp_skeletons.hpp"

namespace captee::gp {

int32_t TaAppSkeleton::openSessionAs(
    std::span<const std::byte> uuid, Object waitCBO, uint32_t cancelCode,
    uint32_t cancellationRequestTimeout, uint32_t connectionMethod, uint32_t connectionData,
    uint32_t paramTypes, uint32_t exParamTypes, uint32_t login,
    const ::IGPAppClientCaptee_Uuid &clientUuid, std::span<const std::byte> i1,
    std::span<const std::byte> i2, std::span<const std::byte> i3, std::span<const std::byte> i4,
    std::span<std::byte> o1, size_t &o1_len, std::span<std::byte> o2, size_t &o2_len,
    std::span<std::byte> o3, size_t &o3_len, std::span<std::byte> o4, size_t &o4_len, Object imem1,
    Object imem2, Object imem3, Object imem4, uint32_t &memrefOutSz1, uint32_t &memrefOutSz2,
    uint32_t &memrefOutSz3, uint32_t &memrefOutSz4, Ref &session, uint32_t &retValue,
    uint32_t &retOrigin) {
  OpenRequest req = open_request(uuid, waitCBO, cancelCode, cancellationRequestTimeout,
                                 connectionMethod, connectionData, paramTypes, exParamTypes);
  req.identity_stated = true;
  req.client = client_identity(login, clientUuid.bytes);
  return open(req,
              ParamArgs{{i1, i2, i3, i4},
                        {o1, o2, o3, o4},
                        {&o1_len, &o2_len, &o3_len, &o4_len},
                        {imem1, imem2, imem3, imem4},
                        {&memrefOutSz1, &memrefOutSz2, &memrefOutSz3, &memrefOutSz4}},
              session, retValue, retOrigin);
}

}  // namespace captee::gp
