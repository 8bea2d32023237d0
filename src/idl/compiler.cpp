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
