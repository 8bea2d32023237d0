// Human and JSON descriptions of a signed firmware image, for captee-sign
// inspect. The JSON schema is documented in docs/FIRMWARE.md.
#pragma once

#include <string>

#include "captee/fwimage/signed_image.hpp"

namespace captee::fwimage {

// Multi-line text: header, TLVs, images, segments with hashes (and whether the
// file bytes match), resource table, platform TLVs.
std::string inspect_text(const ParsedImage &image);

// The same facts as a JSON document (pretty-printed, 2-space indent).
std::string inspect_json(const ParsedImage &image);

}  // namespace captee::fwimage
