#include "captee/tee/apps/app_loader.h"

#include <new>

#include "captee/tee/apps/app_loader.hpp"

extern "C" int32_t captee_app_loader_create(const char *tahost_path, const char *ta_dir,
                                            Object *out) {
  if (out == nullptr) {
    return Object_ERROR_INVALID;
  }
  try {
    captee::tee::apps::AppLoaderConfig cfg;
    if (tahost_path != nullptr) {
      cfg.tahost_path = tahost_path;
    }
    if (ta_dir != nullptr) {
      cfg.ta_dir = ta_dir;
    }
    *out = captee::tee::apps::make_app_loader(cfg).detach();
    return Object_OK;
  } catch (const std::bad_alloc &) {
    return Object_ERROR_MEM;
  }
}
