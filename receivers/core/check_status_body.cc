#include "receivers/core/check_status_body.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cctype>

namespace lokahi::receivers {
namespace {

std::string MediaType(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  std::string_view media = content_type.substr(0, semicolon);
  const auto first = media.find_first_not_of(" \t");
  const auto last = media.find_last_not_of(" \t");
  if (first == std::string_view::npos) return "";
  std::string lowered(media.substr(first, last - first + 1));
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lowered;
}

}  // namespace

std::string_view BodyFormatName(BodyFormat format) {
  return format == BodyFormat::kJson ? "json" : "protobuf";
}

std::optional<BodyFormat> FormatOfContentType(std::string_view content_type) {
  const std::string media = MediaType(content_type);
  if (media.empty() || media == "application/protobuf" || media == "application/x-protobuf") {
    return BodyFormat::kProtobuf;
  }
  if (media == "application/json") return BodyFormat::kJson;
  return std::nullopt;
}

DecodedBody DecodeCheckStatus(BodyFormat format, std::string_view body) {
  github::xe::lokahi::CheckStatus status;
  if (format == BodyFormat::kJson) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    const auto result = google::protobuf::util::JsonStringToMessage(
        google::protobuf::StringPiece(body.data(), body.size()), &status, options);
    if (!result.ok()) {
      return {std::nullopt, "invalid JSON CheckStatus: " + std::string(result.message())};
    }
  } else if (!status.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return {std::nullopt,
            "invalid protobuf CheckStatus (" + std::to_string(body.size()) + " bytes)"};
  }
  if (status.check().id().empty()) return {std::nullopt, "CheckStatus has no check id"};
  return {std::move(status), ""};
}

EncodedReply EncodeAcknowledgement(BodyFormat format) {
  if (format == BodyFormat::kJson) return {"application/json", "{}"};
  return {"application/protobuf", github::xe::lokahi::Nil().SerializeAsString()};
}

}  // namespace lokahi::receivers
