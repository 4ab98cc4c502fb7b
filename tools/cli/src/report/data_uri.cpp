#include "report/data_uri.hpp"

#include <cstdint>

namespace citytwin::cli::report {

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const std::uint32_t word = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                               static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                               static_cast<unsigned char>(bytes[i + 2]);
    text += kAlphabet[word >> 18 & 63];
    text += kAlphabet[word >> 12 & 63];
    text += kAlphabet[word >> 6 & 63];
    text += kAlphabet[word & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t word = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) word |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    text += kAlphabet[word >> 18 & 63];
    text += kAlphabet[word >> 12 & 63];
    text += rest == 2 ? kAlphabet[word >> 6 & 63] : '=';
    text += '=';
  }
  return text;
}

std::string dataUri(std::string_view mime, std::string_view bytes) {
  return "data:" + std::string(mime) + ";base64," + base64(bytes);
}

}  // namespace citytwin::cli::report
