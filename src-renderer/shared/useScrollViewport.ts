// The scroll state a virtualised list needs from its scrolling element: where it is scrolled to
// and how tall it is, kept current as the element is resized.
import { useLayoutEffect, useRef, useState } from 'react';

export function useScrollViewport<T extends HTMLElement>() {
  const scrollRef = useRef<T>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewportHeight, setViewportHeight] = useState(0);

  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (!element) return undefined;
    const observer = new ResizeObserver(() => setViewportHeight(element.clientHeight));
    observer.observe(element);
    setViewportHeight(element.clientHeight);
    return () => observer.disconnect();
  }, []);

  return { scrollRef, scrollTop, setScrollTop, viewportHeight };
}
