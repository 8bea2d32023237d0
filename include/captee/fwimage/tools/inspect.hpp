// Human and JSON descriptions of a signed firmware image, for captee-sign
// inspect. The JSON schema is documented in docs/FIRMWARE.md.
#pragma once

#include <string>

#include "captee/fwimage/signed_image.hpp"

namespace captee::fwimage {

// Multi-line text: header, TLVs, images, segments with hashes (and whether the
// file bytes match), resource table, platform TLVs. When `problem` is given
// (why parse_contents failed), `image` may hold only its container; the
// output then shows what could be read and ends with the problem.
std::string inspect_text(const ParsedImage &image, const FwError *problem = nullptr);

// The same facts as a JSON document (pretty-printed, 2-space indent), with an
// "error" member when `problem` is given.
std::string inspect_json(const ParsedImage &image, const FwError *problem = nullptr);

}  // namespace captee::fwimage
