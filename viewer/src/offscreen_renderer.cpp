#include "offscreen_renderer.hpp"

#include <osg/GraphicsContext>
#include <osg/Texture2D>

#include <algorithm>
#include <chrono>
#include <thread>
#include <cstring>

#include "citytwin/core/error.hpp"
#include "citytwin/viewer/city_view.hpp"

namespace citytwin::viewer {
namespace {

std::string& rendererName() {
  static std::string name;
  return name;
}

// Notes which OpenGL implementation draws, for the bench report.
struct NoteRenderer : osg::Camera::DrawCallback {
  void operator()(osg::RenderInfo&) const override {
    if (const auto* text = glGetString(GL_RENDERER)) rendererName() = reinterpret_cast<const char*>(text);
  }
};

// Waits for the frame to finish so a frame's time covers the rendering, not just its submission.
struct FinishFrame : osg::Camera::DrawCallback {
  void operator()(osg::RenderInfo&) const override { glFinish(); }
};

// No multisampling: Mesa reports the multisample FBO that OSG 3.6 builds around an image as incomplete.
constexpr unsigned kSamples = 0;

}  // namespace

std::string openGlRendererName() { return rendererName(); }

osg::Vec4 skyColour() { return {0.70f, 0.79f, 0.90f, 1.0f}; }

OffscreenRenderer::OffscreenRenderer(osg::Node* scene, int width, int height, bool readBack)
    : width_(width), height_(height), readBack_(readBack) {
  if (width <= 0 || height <= 0 || width > 16384 || height > 16384) {
    throw Error("image size " + std::to_string(width) + "x" + std::to_string(height) + ": expected 1 to 16384 pixels a side");
  }
  osg::ref_ptr<osg::GraphicsContext::Traits> traits = new osg::GraphicsContext::Traits;
  // Without these OSG opens display :0.0 instead of $DISPLAY (Xvfb's).
  traits->readDISPLAY();
  traits->setUndefinedScreenDetailsToDefaultScreen();
  traits->x = 0;
  traits->y = 0;
  traits->width = 1;
  traits->height = 1;
  traits->pbuffer = true;
  traits->doubleBuffer = false;
  traits->red = traits->green = traits->blue = traits->alpha = 8;
  traits->depth = 24;
  traits->sharedContext = nullptr;
  osg::ref_ptr<osg::GraphicsContext> context = osg::GraphicsContext::createGraphicsContext(traits.get());
  // A virtual X server that xvfb-run has only just started may refuse the first connections.
  for (int attempt = 0; !context.valid() && attempt < 10; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    context = osg::GraphicsContext::createGraphicsContext(traits.get());
  }
  if (!context.valid()) {
    throw Error("cannot create an off-screen OpenGL context on display '" + traits->displayName() +
                "': run under an X server (e.g. xvfb-run -a -s \"-screen 0 1920x1080x24\" citytwin view ...)");
  }

  viewer_ = new osgViewer::Viewer;
  viewer_->setThreadingModel(osgViewer::Viewer::SingleThreaded);
  // No manipulator: the caller sets the view matrix before each frame.
  viewer_->setCameraManipulator(nullptr);
  viewer_->setKeyEventSetsDone(0);
  osg::Camera* camera = viewer_->getCamera();
  camera->setGraphicsContext(context.get());
  camera->setViewport(0, 0, width, height);
  camera->setProjectionMatrixAsPerspective(30.0, static_cast<double>(width) / height, 1.0, 100000.0);
  camera->setClearColor(skyColour());
  camera->setRenderTargetImplementation(osg::Camera::FRAME_BUFFER_OBJECT);
  if (readBack) {
    image_ = new osg::Image;
    image_->allocateImage(width, height, 1, GL_RGBA, GL_UNSIGNED_BYTE);
    // A sized format: Mesa refuses unsized GL_RGBA for multisample render buffers.
    image_->setInternalTextureFormat(GL_RGBA8);
    camera->attach(osg::Camera::COLOR_BUFFER, image_.get(), kSamples, 0);
  } else {
    osg::ref_ptr<osg::Texture2D> target = new osg::Texture2D;
    target->setTextureSize(width, height);
    target->setInternalFormat(GL_RGBA8);
    target->setFilter(osg::Texture::MIN_FILTER, osg::Texture::LINEAR);
    target->setFilter(osg::Texture::MAG_FILTER, osg::Texture::LINEAR);
    camera->attach(osg::Camera::COLOR_BUFFER, target.get(), 0, 0, false, kSamples, 0);
    camera->setFinalDrawCallback(new FinishFrame);
  }
  camera->attach(osg::Camera::DEPTH_BUFFER, GL_DEPTH_COMPONENT24);
  camera->setInitialDrawCallback(new NoteRenderer);
  viewer_->setSceneData(scene);
  viewer_->realize();
  if (!viewer_->isRealized()) throw Error("cannot start the off-screen OpenGL renderer");
}

Image OffscreenRenderer::image() const {
  Image result;
  if (!image_.valid()) return result;
  result.width = width_;
  result.height = height_;
  result.rgba.resize(static_cast<std::size_t>(width_) * static_cast<std::size_t>(height_) * 4);
  const std::size_t rowBytes = static_cast<std::size_t>(width_) * 4;
  // OpenGL rows start at the bottom.
  for (int row = 0; row < height_; ++row) {
    std::memcpy(result.rgba.data() + static_cast<std::size_t>(row) * rowBytes,
                image_->data(0, height_ - 1 - row), rowBytes);
  }
  for (std::size_t i = 3; i < result.rgba.size(); i += 4) result.rgba[i] = 255;
  return result;
}

}  // namespace citytwin::viewer
