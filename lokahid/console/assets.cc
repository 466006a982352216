#include "lokahid/console/assets.h"

namespace lokahi::lokahid {

std::optional<EmbeddedAsset> FindAsset(std::string_view name) {
  for (const auto& asset : EmbeddedAssets()) {
    if (asset.name == name) return asset;
  }
  return std::nullopt;
}

std::string_view AssetContentType(std::string_view name) {
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

}  // namespace lokahi::lokahid
