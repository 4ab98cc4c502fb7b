#include "indexed_colours.hpp"

#include <osg/BlendFunc>
#include <osg/Program>
#include <osg/Shader>

#include <algorithm>

namespace citytwin::viewer {
namespace {

// GLSL 1.20 so that any OpenGL 2.1 context runs it, Mesa llvmpipe included. Lighting is a fixed sun in
// the north-west at 45 degrees, as in the terrain hillshade, so walls facing it are bright.
const char* kVertexShader = R"(#version 120
attribute float objectIndex;
uniform sampler2D colourTable;
uniform vec2 tableSize;
uniform bool lit;
varying vec4 colour;
void main() {
  float row = floor((objectIndex + 0.5) / tableSize.x);
  float column = objectIndex - row * tableSize.x;
  vec4 c = texture2DLod(colourTable, vec2((column + 0.5) / tableSize.x, (row + 0.5) / tableSize.y), 0.0);
  float shade = 1.0;
  if (lit) {
    vec3 sun = normalize(vec3(-0.5, 0.5, 0.7071));
    shade = 0.55 + 0.45 * max(dot(normalize(gl_Normal), sun), 0.0);
  }
  colour = vec4(c.rgb * shade, c.a);
  gl_Position = gl_ModelViewProjectionMatrix * gl_Vertex;
}
)";

const char* kFragmentShader = R"(#version 120
uniform float opacity;
varying vec4 colour;
void main() {
  gl_FragColor = vec4(colour.rgb, colour.a * opacity);
}
)";

constexpr int kMaxTableWidth = 4096;

}  // namespace

IndexedColours::IndexedColours(std::size_t objectCount, bool lit, unsigned textureUnit) : unit_(textureUnit) {
  const std::size_t count = std::max<std::size_t>(objectCount, 1);
  width_ = static_cast<int>(std::min<std::size_t>(count, kMaxTableWidth));
  const int height = static_cast<int>((count + static_cast<std::size_t>(width_) - 1) / static_cast<std::size_t>(width_));
  image_ = new osg::Image;
  image_->allocateImage(width_, height, 1, GL_RGBA, GL_UNSIGNED_BYTE);
  std::fill(image_->data(), image_->data() + image_->getTotalSizeInBytes(), 255);
  texture_ = new osg::Texture2D(image_.get());
  texture_->setFilter(osg::Texture::MIN_FILTER, osg::Texture::NEAREST);
  texture_->setFilter(osg::Texture::MAG_FILTER, osg::Texture::NEAREST);
  texture_->setWrap(osg::Texture::WRAP_S, osg::Texture::CLAMP_TO_EDGE);
  texture_->setWrap(osg::Texture::WRAP_T, osg::Texture::CLAMP_TO_EDGE);
  texture_->setResizeNonPowerOfTwoHint(false);
  texture_->setUseHardwareMipMapGeneration(false);

  auto* program = new osg::Program;
  program->addShader(new osg::Shader(osg::Shader::VERTEX, kVertexShader));
  program->addShader(new osg::Shader(osg::Shader::FRAGMENT, kFragmentShader));
  program->addBindAttribLocation("objectIndex", kObjectIndexAttribute);

  opacity_ = new osg::Uniform("opacity", 1.0f);
  stateSet_ = new osg::StateSet;
  stateSet_->setAttributeAndModes(program);
  stateSet_->setTextureAttribute(unit_, texture_.get());
  stateSet_->addUniform(new osg::Uniform("colourTable", static_cast<int>(unit_)));
  stateSet_->addUniform(new osg::Uniform("tableSize", osg::Vec2(static_cast<float>(width_), static_cast<float>(height))));
  stateSet_->addUniform(new osg::Uniform("lit", lit));
  stateSet_->addUniform(opacity_.get());
  stateSet_->setAttributeAndModes(new osg::BlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA));
}

void IndexedColours::set(std::size_t object, const Colour& colour) {
  const auto channel = [](float v) { return static_cast<unsigned char>(std::clamp(v, 0.0f, 1.0f) * 255.0f + 0.5f); };
  unsigned char* texel = image_->data() + object * 4;
  texel[0] = channel(colour.r);
  texel[1] = channel(colour.g);
  texel[2] = channel(colour.b);
  texel[3] = channel(colour.a);
}

void IndexedColours::setOpacity(float opacity) {
  opacity_->set(opacity);
  if (opacity < 0.999f) {
    stateSet_->setMode(GL_BLEND, osg::StateAttribute::ON);
    stateSet_->setRenderingHint(osg::StateSet::TRANSPARENT_BIN);
  } else {
    stateSet_->setMode(GL_BLEND, osg::StateAttribute::OFF);
    stateSet_->setRenderingHint(osg::StateSet::OPAQUE_BIN);
  }
}

void IndexedColours::overrideIn(osg::StateSet& stateSet) const {
  stateSet.setTextureAttribute(unit_, texture_.get(), osg::StateAttribute::OVERRIDE);
}

void setObjectIndices(osg::Geometry& geometry, osg::FloatArray* indices) {
  geometry.setVertexAttribArray(kObjectIndexAttribute, indices, osg::Array::BIND_PER_VERTEX);
}

long objectIndexOf(const osg::Geometry& geometry, unsigned vertex) {
  const auto* indices = dynamic_cast<const osg::FloatArray*>(geometry.getVertexAttribArray(kObjectIndexAttribute));
  if (indices == nullptr || vertex >= indices->size()) return -1;
  return static_cast<long>((*indices)[vertex]);
}

}  // namespace citytwin::viewer
