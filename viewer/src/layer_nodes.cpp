#include <osg/BlendColor>
#include <osg/BlendFunc>

#include "scene_layers.hpp"

namespace citytwin::viewer {

osg::ref_ptr<osg::BlendColor> makeLayerFadeable(osg::StateSet& stateSet) {
  osg::ref_ptr<osg::BlendColor> blend = new osg::BlendColor(osg::Vec4(1, 1, 1, 1));
  stateSet.setAttributeAndModes(blend.get());
  stateSet.setAttributeAndModes(new osg::BlendFunc(GL_CONSTANT_ALPHA, GL_ONE_MINUS_CONSTANT_ALPHA));
  return blend;
}

void applyLayerOpacity(osg::StateSet& stateSet, osg::BlendColor& blend, float opacity) {
  blend.setConstantColor(osg::Vec4(1, 1, 1, opacity));
  if (opacity < 0.999f) {
    stateSet.setMode(GL_BLEND, osg::StateAttribute::ON);
    stateSet.setRenderingHint(osg::StateSet::TRANSPARENT_BIN);
  } else {
    stateSet.setMode(GL_BLEND, osg::StateAttribute::OFF);
    stateSet.setRenderingHint(osg::StateSet::OPAQUE_BIN);
  }
}

DynamicLayerNode::DynamicLayerNode() : node(new osg::Group), geometry(new osg::Geometry) {
  // Rebuilt whenever the time or variant changes, so no display list and no sharing between frames.
  geometry->setUseDisplayList(false);
  geometry->setUseVertexBufferObjects(true);
  geometry->setDataVariance(osg::Object::DYNAMIC);
  node->addChild(geometry);
  osg::StateSet* state = node->getOrCreateStateSet();
  state->setMode(GL_LIGHTING, osg::StateAttribute::OFF | osg::StateAttribute::OVERRIDE);
  blend = makeLayerFadeable(*state);
}

void DynamicLayerNode::replace(osg::Vec3Array* vertices, osg::Vec4ubArray* colours,
                               osg::PrimitiveSet* primitives) {
  geometry->setVertexArray(vertices);
  geometry->setColorArray(colours, osg::Array::BIND_PER_VERTEX);
  geometry->removePrimitiveSet(0, geometry->getNumPrimitiveSets());
  if (primitives != nullptr) geometry->addPrimitiveSet(primitives);
  geometry->dirtyBound();
}

void DynamicLayerNode::setOpacity(float opacity) {
  applyLayerOpacity(*node->getOrCreateStateSet(), *blend, opacity);
}

}  // namespace citytwin::viewer
