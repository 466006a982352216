#include "tests/lib/metrics/exposition_parser.h"

#include <limits>
#include <sstream>
#include <stdexcept>

namespace lokahi::metrics::testing {

namespace {

[[noreturn]] void Fail(const std::string& why, const std::string& line) {
  throw std::runtime_error(why + " in line: " + line);
}

std::string Unescape(const std::string& text, const std::string& line) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size()) Fail("dangling backslash", line);
    switch (text[i]) {
      case '\\':
        out += '\\';
        break;
      case 'n':
        out += '\n';
        break;
      case '"':
        out += '"';
        break;
      default:
        Fail("unknown escape", line);
    }
  }
  return out;
}

double ParseValue(const std::string& text, const std::string& line) {
  if (text == "+Inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    Fail("bad value '" + text + "'", line);
  }
  if (used != text.size()) Fail("trailing characters after value", line);
  return value;
}

Sample ParseSample(const std::string& line) {
  Sample sample;
  size_t i = 0;
  while (i < line.size() && line[i] != '{' && line[i] != ' ') sample.name += line[i++];
  if (sample.name.empty()) Fail("no metric name", line);
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      std::string label;
      while (i < line.size() && line[i] != '=') label += line[i++];
      if (i + 1 >= line.size() || line[i + 1] != '"') Fail("label value not quoted", line);
      i += 2;
      std::string raw;
      while (i < line.size() && line[i] != '"') {
        if (line[i] == '\\' && i + 1 < line.size()) raw += line[i++];
        raw += line[i++];
      }
      if (i == line.size()) Fail("unterminated label value", line);
      ++i;  // closing quote
      if (!sample.labels.emplace(label, Unescape(raw, line)).second) Fail("label repeated", line);
      if (i < line.size() && line[i] == ',') ++i;
    }
    if (i == line.size()) Fail("unterminated label set", line);
    ++i;  // closing brace
  }
  if (i >= line.size() || line[i] != ' ') Fail("no space before value", line);
  sample.value = ParseValue(line.substr(i + 1), line);
  return sample;
}

}  // namespace

std::optional<double> Exposition::Value(const std::string& name,
                                        const std::map<std::string, std::string>& labels) const {
  std::optional<double> found;
  for (const auto& sample : samples) {
    if (sample.name != name || sample.labels != labels) continue;
    if (found) throw std::runtime_error("duplicate sample " + name);
    found = sample.value;
  }
  return found;
}

Exposition ParseExposition(const std::string& text) {
  if (!text.empty() && text.back() != '\n') throw std::runtime_error("exposition must end in \\n");
  Exposition exposition;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) Fail("empty line", line);
    if (line.starts_with("# HELP ")) {
      const auto rest = line.substr(7);
      const auto space = rest.find(' ');
      if (space == std::string::npos) Fail("HELP without text", line);
      exposition.help[rest.substr(0, space)] = Unescape(rest.substr(space + 1), line);
    } else if (line.starts_with("# TYPE ")) {
      const auto rest = line.substr(7);
      const auto space = rest.find(' ');
      if (space == std::string::npos) Fail("TYPE without type", line);
      const auto family = rest.substr(0, space);
      const auto type = rest.substr(space + 1);
      if (type != "counter" && type != "gauge" && type != "histogram") Fail("unknown type", line);
      if (!exposition.type.emplace(family, type).second) Fail("TYPE repeated", line);
    } else if (line.starts_with("#")) {
      Fail("unexpected comment", line);
    } else {
      exposition.samples.push_back(ParseSample(line));
    }
  }
  return exposition;
}

}  // namespace lokahi::metrics::testing
