#include "captee/fwimage/tools/inspect.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <sstream>

#include "byte_reader.hpp"
#include "captee/detail/hex.hpp"
#include "captee/detail/printable.hpp"
#include "captee/fwimage/verify.hpp"

namespace captee::fwimage {
namespace {

using nlohmann::json;

std::string hex(std::span<const uint8_t> bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    s.push_back(digits[b >> 4]);
    s.push_back(digits[b & 0xF]);
  }
  return s;
}

using captee::detail::hex32;

const char *tlv_name(uint32_t type) {
  switch (type) {
    case kTlvSignType:
      return "SIGNTYPE";
    case kTlvHashType:
      return "HASHTYPE";
    case kTlvNumImg:
      return "NUM_IMG";
    case kTlvImgType:
      return "IMGTYPE";
    case kTlvImgSize:
      return "IMGSIZE";
    case kTlvEncType:
      return "ENCTYPE";
    case kTlvHashTable:
      return "HASHTABLE";
    case kTlvPkeyInfo:
      return "PKEYINFO";
    case kTlvEncTable:
      return "ENCTABLE";
    default:
      return type >= kPlatTlvMin && type <= kPlatTlvMax ? "PLATFORM" : "UNKNOWN";
  }
}

const char *sign_type_name(uint8_t t) {
  return t == kSignTypeRsaPkcs1Sha256    ? "RSASSA-PKCS1-v1_5-SHA256"
         : t == kSignTypeEcdsaP256Sha256 ? "ECDSA-P256-SHA256"
                                         : "unknown";
}

std::string phdr_type_name(uint32_t type) {
  switch (type) {
    case 0:
      return "PT_NULL";
    case 1:
      return "PT_LOAD";
    case 2:
      return "PT_DYNAMIC";
    case 4:
      return "PT_NOTE";
    case 6:
      return "PT_PHDR";
    case 0x70000001:
      return "PT_ARM_EXIDX";
    default:
      return hex32(type);
  }
}

std::string phdr_flags(uint32_t f) {
  std::string s;
  s += (f & 4) ? 'R' : '-';
  s += (f & 2) ? 'W' : '-';
  s += (f & 1) ? 'X' : '-';
  return s;
}

bool free_of_c0_and_del(std::span<const uint8_t> v) {
  for (uint8_t c : v) {
    if (c < 0x20 || c == 0x7F) {
      return false;
    }
  }
  return true;
}

json platform_value(std::span<const uint8_t> v) {
  json j = {{"hex", hex(v)}};
  if (v.size() == 4) {
    j["u32"] = detail::le32(v, 0);
  }
  if (free_of_c0_and_del(v)) {
    j["string"] = std::string(v.begin(), v.end());
  }
  return j;
}

json decoded_tlv(const ParsedImage &p, const Tlv &t) {
  switch (t.type) {
    case kTlvSignType:
      return t.value.size() == 1 ? json(sign_type_name(t.value[0])) : json();
    case kTlvHashType:
      return t.value.size() == 1 && t.value[0] == kHashTypeSha256 ? json("SHA-256") : json();
    case kTlvNumImg:
      return t.value.size() == 1 ? json(t.value[0]) : json();
    case kTlvImgType: {
      json a = json::array();
      for (uint8_t v : t.value) {
        a.push_back(v == kImgTypeElf ? "ELF" : v == kImgTypeEncryptedElf ? "ENC_ELF" : "unknown");
      }
      return a;
    }
    case kTlvImgSize: {
      json a = json::array();
      for (size_t i = 0; i + 4 <= t.value.size(); i += 4) {
        a.push_back(detail::le32(t.value, i));
      }
      return a;
    }
    case kTlvHashTable:
      return json{{"entries", t.value.size() / kHashTableEntrySize}};
    default:
      if (t.type >= kPlatTlvMin && t.type <= kPlatTlvMax) {
        return platform_value(t.value);
      }
      (void)p;
      return json();
  }
}

json rsc_entry_json(const RscEntry &e) {
  json j = {{"offset", e.offset}, {"type", rsc_type_name(e.type)}, {"type_id", e.type}};
  if (const auto *m = std::get_if<RscMemory>(&e.body)) {
    j.update(
        {{"da", m->da}, {"pa", m->pa}, {"len", m->len}, {"flags", m->flags}, {"name", m->name}});
  } else if (const auto *t = std::get_if<RscTrace>(&e.body)) {
    j.update({{"da", t->da}, {"len", t->len}, {"name", t->name}});
  } else if (const auto *v = std::get_if<RscVdev>(&e.body)) {
    json vrings = json::array();
    for (const RscVring &r : v->vrings) {
      vrings.push_back({{"da", r.da},
                        {"align", r.align},
                        {"num", r.num},
                        {"notifyid", r.notifyid},
                        {"pa", r.pa}});
    }
    j.update({{"id", v->id},
              {"notifyid", v->notifyid},
              {"dfeatures", v->dfeatures},
              {"gfeatures", v->gfeatures},
              {"config_len", v->config_len},
              {"status", v->status},
              {"vrings", vrings}});
  }
  return j;
}

json to_json(const ParsedImage &p, const FwError *problem) {
  const SignedContainer &c = p.container;
  json j;
  j["header"] = {{"magic", hex32(c.header.magic)},
                 {"version", c.header.version},
                 {"tlv_len", c.header.tlv_len},
                 {"sign_len", c.header.sign_len},
                 {"img_len", c.header.img_len}};
  const Tlv *sign_type = c.find(kTlvSignType);
  j["sign_type"] = sign_type_name(sign_type ? sign_type->value[0] : 0);
  const Tlv *hash_type = c.find(kTlvHashType);
  j["hash_type"] = hash_type && hash_type->value[0] == kHashTypeSha256 ? json("SHA-256") : json();
  j["signature"] = {{"offset", c.signature_offset}, {"hex", hex(c.signature)}};
  json tlvs = json::array();
  for (const Tlv &t : c.tlvs) {
    json tj = {{"type", t.type},
               {"name", tlv_name(t.type)},
               {"offset", t.offset},
               {"length", t.value.size()}};
    json decoded = decoded_tlv(p, t);
    if (!decoded.is_null()) {
      tj["decoded"] = decoded;
    }
    if (t.type != kTlvHashTable) {
      tj["hex"] = hex(t.value);
    }
    tlvs.push_back(tj);
  }
  j["tlvs"] = tlvs;
  const Tlv *key_info = c.find(kTlvPkeyInfo);
  j["key_info"] = key_info ? json(hex(key_info->value)) : json();
  json images = json::array();
  for (const FirmwareImage &img : p.images) {
    json segs = json::array();
    for (const Segment &s : img.segments) {
      json sj = {{"index", s.index},        {"type", phdr_type_name(s.phdr.type)},
                 {"offset", s.phdr.offset}, {"vaddr", s.phdr.vaddr},
                 {"paddr", s.phdr.paddr},   {"filesz", s.phdr.filesz},
                 {"memsz", s.phdr.memsz},   {"flags", phdr_flags(s.phdr.flags)},
                 {"align", s.phdr.align},   {"sha256", hex(s.expected_sha256)}};
      sj["sha256_ok"] = s.loadable() ? json(sha256(s.file_bytes) == s.expected_sha256) : json();
      segs.push_back(sj);
    }
    images.push_back({{"index", img.index},
                      {"type", img.type == kImgTypeElf ? "ELF" : "unknown"},
                      {"offset", img.offset},
                      {"size", img.size},
                      {"machine", img.elf.machine},
                      {"entry", img.elf.entry},
                      {"segments", segs}});
  }
  j["images"] = images;
  if (p.resource_table) {
    const ResourceTableRef &r = *p.resource_table;
    json entries = json::array();
    for (const RscEntry &e : r.table.entries) {
      entries.push_back(rsc_entry_json(e));
    }
    json warnings = r.table.warnings;
    if (!r.found_at_run_time()) {
      warnings.push_back(table_not_found_warning(r));
    }
    j["resource_table"] = {{"image", r.image},
                           {"device_addr", r.device_addr},
                           {"size", r.size},
                           {"load_addr", r.load_addr ? json(*r.load_addr) : json()},
                           {"found_at_run_time", r.found_at_run_time()},
                           {"ver", r.table.ver},
                           {"num", r.table.num},
                           {"entries", entries},
                           {"warnings", warnings}};
  } else {
    j["resource_table"] = nullptr;
  }
  json plat = json::array();
  for (const Tlv &t : c.tlvs) {
    if (t.type < kPlatTlvMin || t.type > kPlatTlvMax) {
      continue;
    }
    json pj = platform_value(t.value);
    pj["type"] = t.type;
    plat.push_back(pj);
  }
  j["platform_tlvs"] = plat;
  if (problem != nullptr) {
    j["error"] = {{"code", tee_result_name(problem->code)}, {"message", problem->message}};
  }
  return j;
}

}  // namespace

// Names and platform strings come from the image and need not be UTF-8:
// invalid sequences are replaced (U+FFFD) rather than failing the dump, and
// everything but ASCII is a \u escape, so the output does nothing to a
// terminal.
std::string inspect_json(const ParsedImage &p, const FwError *problem) {
  return to_json(p, problem).dump(2, ' ', true, json::error_handler_t::replace) + "\n";
}

std::string inspect_text(const ParsedImage &p, const FwError *problem) {
  const json j = to_json(p, problem);
  std::ostringstream o;
  const auto &h = j["header"];
  o << "header: magic " << h["magic"].get<std::string>() << ", version " << h["version"]
    << ", tlv_len " << h["tlv_len"] << ", sign_len " << h["sign_len"] << ", img_len "
    << h["img_len"] << "\n";
  o << "signature: " << j["sign_type"].get<std::string>() << ", " << h["sign_len"]
    << " bytes at offset " << j["signature"]["offset"] << "\n";
  o << "TLVs:\n";
  for (const auto &t : j["tlvs"]) {
    char type[16];
    std::snprintf(type, sizeof type, "0x%05x", t["type"].get<uint32_t>());
    o << "  " << type << " " << t["name"].get<std::string>() << " (" << t["length"] << " bytes at "
      << t["offset"] << ")";
    if (t.contains("decoded")) {
      o << ": " << t["decoded"].dump(-1, ' ', true, json::error_handler_t::replace);
    } else if (t.contains("hex")) {
      o << ": " << t["hex"].get<std::string>();
    }
    o << "\n";
  }
  for (const auto &img : j["images"]) {
    o << "image " << img["index"] << ": " << img["type"].get<std::string>() << ", " << img["size"]
      << " bytes at offset " << img["offset"] << ", entry " << hex32(img["entry"].get<uint32_t>())
      << "\n";
    for (const auto &s : img["segments"]) {
      o << "  segment " << s["index"] << ": " << s["type"].get<std::string>() << " paddr "
        << hex32(s["paddr"].get<uint32_t>()) << " vaddr " << hex32(s["vaddr"].get<uint32_t>())
        << " filesz " << s["filesz"] << " memsz " << s["memsz"] << " "
        << s["flags"].get<std::string>() << "\n    sha256 " << s["sha256"].get<std::string>();
      if (!s["sha256_ok"].is_null()) {
        o << (s["sha256_ok"].get<bool>() ? " (matches)" : " (MISMATCH)");
      }
      o << "\n";
    }
  }
  if (j["resource_table"].is_null()) {
    o << "resource table: none\n";
  } else {
    const auto &r = j["resource_table"];
    o << "resource table: image " << r["image"] << ", da "
      << hex32(r["device_addr"].get<uint32_t>()) << ", " << r["size"] << " bytes, " << r["num"]
      << " entries";
    if (!r["found_at_run_time"].get<bool>()) {
      o << ", loaded at "
        << (r["load_addr"].is_null() ? std::string("no address")
                                     : hex32(r["load_addr"].get<uint32_t>()));
    }
    o << "\n";
    for (const auto &e : r["entries"]) {
      o << "  " << e["type"].get<std::string>() << " at " << e["offset"];
      for (const char *key : {"name", "da", "pa", "len", "flags", "id", "notifyid", "dfeatures",
                              "gfeatures", "config_len", "status"}) {
        if (!e.contains(key)) {
          continue;
        }
        o << " " << key << "=";
        if (e[key].is_string()) {
          o << captee::printable(e[key].get<std::string>());  // the image's bytes
        } else if (std::string_view(key) == "da" || std::string_view(key) == "pa") {
          o << hex32(e[key].get<uint32_t>());
        } else {
          o << e[key];
        }
      }
      o << "\n";
      if (e.contains("vrings")) {
        for (const auto &v : e["vrings"]) {
          o << "    vring da=" << hex32(v["da"].get<uint32_t>()) << " align=" << v["align"]
            << " num=" << v["num"] << " notifyid=" << v["notifyid"] << "\n";
        }
      }
    }
    for (const auto &w : r["warnings"]) {
      o << "  warning: " << captee::printable(w.get<std::string>()) << "\n";
    }
  }
  if (j["platform_tlvs"].empty()) {
    o << "platform TLVs: none\n";
  } else {
    o << "platform TLVs:\n";
    for (const auto &t : j["platform_tlvs"]) {
      char type[16];
      std::snprintf(type, sizeof type, "0x%05x", t["type"].get<uint32_t>());
      o << "  " << type << ": " << t["hex"].get<std::string>();
      if (t.contains("string")) {
        o << " \"" << captee::printable(t["string"].get<std::string>()) << "\"";
      }
      if (t.contains("u32")) {
        o << " (u32 " << hex32(t["u32"].get<uint32_t>()) << ")";
      }
      o << "\n";
    }
  }
  if (!j["key_info"].is_null()) {
    o << "key info: " << j["key_info"].get<std::string>() << "\n";
  }
  if (problem != nullptr) {
    o << "error: " << captee::printable(problem->message) << " (" << tee_result_name(problem->code)
      << ")\n";
  }
  return o.str();
}

}  // namespace captee::fwimage
