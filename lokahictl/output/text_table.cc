#include "lokahictl/output/text_table.h"

#include <algorithm>

namespace lokahi::lokahictl::output {

namespace {

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

size_t DisplayWidth(const std::string& text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return !IsContinuationByte(c); }));
}

std::string Shortened(const std::string& text, size_t max) {
  if (max == 0 || DisplayWidth(text) <= max) return text;
  size_t kept = 0, end = 0;
  while (end < text.size()) {
    if (!IsContinuationByte(text[end])) {
      if (kept == max - 1) break;
      ++kept;
    }
    ++end;
  }
  return text.substr(0, end) + "…";
}

TextTable::TextTable(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void TextTable::AddRow(std::vector<Cell> row) { rows_.push_back(std::move(row)); }

void TextTable::Print(std::ostream& out, bool color) const {
  std::vector<size_t> widths(headers_.size(), 0);
  for (size_t i = 0; i < headers_.size(); ++i) widths[i] = DisplayWidth(headers_[i]);
  for (const auto& row : rows_) {
    if (row.size() > widths.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i].text));
    }
  }
  const auto print_row = [&](const std::vector<Cell>& row) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      const bool last = i + 1 == row.size();
      const bool colored = color && !row[i].color.empty();
      if (colored) line += "\x1b[" + row[i].color + "m";
      line += row[i].text;
      if (colored) line += "\x1b[0m";
      if (!last) line += std::string(widths[i] - DisplayWidth(row[i].text) + 3, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  };
  if (!headers_.empty()) {
    std::vector<Cell> header(headers_.begin(), headers_.end());
    print_row(header);
  }
  for (const auto& row : rows_) print_row(row);
}

}  // namespace lokahi::lokahictl::output
