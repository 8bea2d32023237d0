#include "captee/idl/compiler.h"

#include <filesystem>
#include <fstream>

namespace captee::idl {

namespace {
std::string base_of(const std::string &input) {
  std::string name = std::filesystem::path(input).filename().string();
  if (name.size() > 4 && name.substr(name.size() - 4) == ".idl") {
    name.resize(name.size() - 4);
  }
  return name;
}
}  // namespace

bool check_bundle_alignment(const Program &program, BundleOrder order, Diagnostics &diags) {
  bool ok = true;
  for (const auto &iface : program.main->interfaces) {
    for (const MethodDecl &m : iface->methods) {
      const MethodLayout layout = layout_method(m, order);
      for (const Bundle *b : {&layout.in_bundle, &layout.out_bundle}) {
        for (const BundleMember &member : b->members) {
          if (member.offset % element_align(member.param->type) != 0) {
            diags.error(member.param->loc,
                        "with bundles sorted by size, '" + member.param->name +
                            "' would sit at offset " + std::to_string(member.offset) +
                            " of its bundle, not aligned for its type; use the default order");
            ok = false;
          }
        }
      }
    }
  }
  return ok;
}

std::string output_path(const CompileOptions &options) {
  if (!options.output_file.empty()) {
    return options.output_file;
  }
  std::string name = base_of(options.input);
  if (options.language == Language::kCpp) {
    name += ".hpp";
  } else {
    name += options.skeleton ? "_invoke.h" : ".h";
  }
  const std::string dir = options.output_dir.empty() ? "." : options.output_dir;
  return (std::filesystem::path(dir) / name).string();
}

CompileResult compile(const CompileOptions &options, const SourceReader &reader) {
  CompileResult result;
  try {
    Diagnostics diags;
    Program program = load_program(options.input, options.load, reader, diags);
    result.messages = diags.str();
    if (diags.has_errors() || program.main == nullptr) {
      result.exit_code = 1;
      return result;
    }
    if (!check_bundle_alignment(program, options.generate.bundle_order, diags)) {
      result.messages = diags.str();
      result.exit_code = 1;
      return result;
    }
    std::string text;
    if (options.language == Language::kCpp) {
      text = generate_cpp(program, options.generate);
    } else if (options.skeleton) {
      text = generate_c_skeleton(program, options.generate);
    } else {
      text = generate_c_stub(program, options.generate);
    }
    const std::string path = output_path(options);
    std::error_code ec;
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
      std::filesystem::create_directories(parent, ec);
    }
    // Write to a temporary name and rename, so a parallel build never reads a
    // half-written header.
    const std::string tmp = path + ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << text;
      out.close();
      if (!out) {
        result.messages += path + ": error: cannot write output file\n";
        result.exit_code = 1;
        std::filesystem::remove(tmp, ec);
        return result;
      }
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
      result.messages += path + ": error: cannot write output file: " + ec.message() + "\n";
      result.exit_code = 1;
      std::filesystem::remove(tmp, ec);
      return result;
    }
    result.written = path;
    if (!options.depfile.empty()) {
      // Make syntax: spaces in paths are escaped with a backslash.
      auto escape = [](const std::string &in) {
        std::string out;
        for (char c : in) {
          if (c == ' ' || c == '#') {
            out += '\\';
          }
          out += c;
        }
        return out;
      };
      std::string dep = escape(path) + ":";
      for (const auto &f : program.files) {
        dep += " " + escape(f->path);
      }
      std::ofstream d(options.depfile, std::ios::binary | std::ios::trunc);
      d << dep << "\n";
      if (!d) {
        result.messages += options.depfile + ": error: cannot write dependency file\n";
        result.exit_code = 1;
      }
    }
  } catch (const std::exception &e) {
    result.messages += options.input + ": error: " + e.what() + "\n";
    result.exit_code = 1;
  }
  return result;
}

}  // namespace captee::idl
