// Reads the input file and its includes (spec §7.2): includes are searched in
// the -I folders, then in the including file's folder; cycles are errors.
#include <filesystem>

#include "captee/idl/frontend.h"
#include "captee/detail/whole_file.hpp"

namespace captee::idl {
namespace {

// Include chains longer than this are almost certainly generated garbage; the
// limit keeps recursion bounded on hostile input.
constexpr size_t kMaxIncludeDepth = 64;

std::string dir_of(const std::string &path) {
  auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

std::string join(const std::string &dir, const std::string &rel) {
  return (std::filesystem::path(dir) / rel).lexically_normal().string();
}

class Loader {
 public:
  Loader(Program &program, const LoadOptions &options, const SourceReader &reader,
         Diagnostics &diags)
      : program_(program), options_(options), reader_(reader), diags_(diags) {}

  const File *load(const std::string &path, const SourceLoc &from, std::string text) {
    for (const auto &f : program_.files) {
      if (f->path == path) {
        return f.get();
      }
    }
    std::unique_ptr<File> file = parse_file(path, text, diags_);
    stack_.push_back(path);
    for (Include &inc : file->includes) {
      inc.file = resolve(inc, dir_of(path));
    }
    stack_.pop_back();
    (void)from;
    program_.files.push_back(std::move(file));
    return program_.files.back().get();
  }

 private:
  const File *resolve(Include &inc, const std::string &including_dir) {
    std::vector<std::string> candidates;
    for (const auto &dir : options_.include_dirs) {
      candidates.push_back(join(dir, inc.path));
    }
    candidates.push_back(join(including_dir, inc.path));
    for (const auto &candidate : candidates) {
      for (size_t i = 0; i < stack_.size(); ++i) {
        if (stack_[i] == candidate) {
          std::string cycle;
          for (size_t j = i; j < stack_.size(); ++j) {
            cycle += stack_[j] + " -> ";
          }
          diags_.error(inc.loc, "include cycle: " + cycle + candidate);
          return nullptr;
        }
      }
      for (const auto &f : program_.files) {
        if (f->path == candidate) {
          return f.get();
        }
      }
      std::optional<std::string> text = reader_(candidate);
      if (!text) {
        continue;
      }
      if (stack_.size() >= kMaxIncludeDepth) {
        diags_.error(inc.loc,
                     "includes nested more than " + std::to_string(kMaxIncludeDepth) + " deep");
        return nullptr;
      }
      return load(candidate, inc.loc, std::move(*text));
    }
    std::string searched;
    for (const auto &c : candidates) {
      searched += (searched.empty() ? "" : ", ") + c;
    }
    diags_.error(inc.loc,
                 "cannot find included file \"" + inc.path + "\" (searched " + searched + ")");
    return nullptr;
  }

  Program &program_;
  const LoadOptions &options_;
  const SourceReader &reader_;
  Diagnostics &diags_;
  std::vector<std::string> stack_;
};

}  // namespace

SourceReader file_system_reader() {
  return [](const std::string &path) -> std::optional<std::string> {
    std::string text;
    if (detail::read_whole_file(path, text) != detail::FileRead::kOk) {
      return std::nullopt;
    }
    return text;
  };
}

Program load_program(const std::string &path, const LoadOptions &options,
                     const SourceReader &reader, Diagnostics &diags) {
  Program program;
  std::optional<std::string> text = reader(path);
  if (!text) {
    diags.error({path, 0, 0}, "cannot read file");
    return program;
  }
  Loader loader(program, options, reader, diags);
  program.main =
      loader.load(std::filesystem::path(path).lexically_normal().string(), {}, std::move(*text));
  if (!diags.has_errors()) {
    analyse(program, options, diags);
  }
  return program;
}

}  // namespace captee::idl
