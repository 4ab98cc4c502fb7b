#include "citytwin/viewer/image.hpp"

#include <stb_image_write.h>

#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/error.hpp"

namespace citytwin::viewer {

void writePng(const Image& image, const std::filesystem::path& path) {
  if (image.width <= 0 || image.height <= 0 ||
      image.rgba.size() != static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 4) {
    throw Error(path.string() + ": cannot write an empty or inconsistent image");
  }
  AtomicOutput output(path);
  if (stbi_write_png(output.temporaryPath().c_str(), image.width, image.height, 4, image.rgba.data(),
                     image.width * 4) == 0) {
    throw Error(path.string() + ": cannot write PNG");
  }
  output.commit();
}

}  // namespace citytwin::viewer
