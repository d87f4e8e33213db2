// @ts-check
/**
 * The courier's position on a small map drawn here, as inline SVG: a street
 * grid anchored to real distances (a street every 100 m, a main road every
 * 500 m, the same blocks wherever the view moves), the route the courier
 * took since the page saw them, a scale bar, and the courier's dot gliding
 * to each new position. Nothing is fetched.
 *
 * The viewBox is the map's size in CSS pixels, so roads and labels keep
 * their size on a phone and on a desktop. The server only sends a customer
 * the position while the order is out for delivery; the page shows the map
 * only then.
 */

import { svgEl } from './dom.js';

/** Metres per degree of latitude. */
const M_PER_DEG = 111_320;
/** The smallest area shown: 800 m from top to bottom. */
const MIN_SPAN_M = 800;
const STREET_M = 100;
const MAIN_ROAD_M = 500;
const MAX_TRAIL = 400;

/** @typedef {{ lat: number, lng: number, ts: number, heading?: number }} Position */
/** @typedef {{ x0: number, y0: number, mPerPx: number, cos: number }} Frame */

/**
 * @param {HTMLElement} host where the SVG goes (sized by CSS)
 */
export function createMap(host) {
  let width = 600;
  let height = 340;
  const svg = /** @type {SVGSVGElement} */ (svgEl('svg', { class: 'map__svg', role: 'img', 'aria-labelledby': 'map-title' }));
  const title = svgEl('title', { id: 'map-title' });
  title.textContent = "Map of your courier's position";
  const ground = svgEl('rect', { x: 0, y: 0, class: 'map__ground' });
  const blocks = svgEl('g', { class: 'map__blocks' });
  const streets = svgEl('g', { class: 'map__streets' });
  const trail = svgEl('polyline', { class: 'map__trail', points: '' });
  const start = svgEl('circle', { class: 'map__start', r: 5, cx: -50, cy: -50 });
  const courier = svgEl('g', { class: 'map__courier' });
  const arrow = svgEl('path', { class: 'map__heading', d: 'M0 -6 L4.5 4 L0 1.8 L-4.5 4 Z' });
  courier.append(
    svgEl('circle', { class: 'map__pulse', r: 14 }),
    svgEl('circle', { class: 'map__halo', r: 14 }),
    svgEl('circle', { class: 'map__dot', r: 10 }),
    arrow,
  );
  const scale = svgEl('g', { class: 'map__scale' });
  const scaleBack = svgEl('rect', { x: -6, y: -24, height: 30, rx: 6 });
  const scaleBar = svgEl('path', { d: '' });
  const scaleText = svgEl('text', { x: 0, y: -9 });
  scale.append(scaleBack, scaleBar, scaleText);
  const north = svgEl('g', { class: 'map__north' });
  const northText = svgEl('text', { x: 0, y: 4.5, 'text-anchor': 'middle' });
  northText.textContent = 'N';
  north.append(svgEl('circle', { r: 12 }), svgEl('path', { d: 'M0 -18 L4 -11.5 L-4 -11.5 Z' }), northText);
  svg.append(title, ground, blocks, streets, trail, start, courier, scale, north);
  host.replaceChildren(svg);

  /** @type {Position[]} */
  let points = [];
  /** @type {Frame | null} */
  let frame = null;

  /**
   * x, y in the viewBox of a position.
   * @param {Frame} f
   * @param {{ lat: number, lng: number }} p
   */
  function project(f, p) {
    return { x: (p.lng * f.cos * M_PER_DEG - f.x0) / f.mPerPx, y: (f.y0 - p.lat * M_PER_DEG) / f.mPerPx };
  }

  /** A frame that holds every point, centred on them. @returns {Frame} */
  function fit() {
    const cos = Math.cos((points[points.length - 1].lat * Math.PI) / 180);
    const xs = points.map((p) => p.lng * cos * M_PER_DEG);
    const ys = points.map((p) => p.lat * M_PER_DEG);
    const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const mPerPx = Math.max(MIN_SPAN_M / height, ((maxY - minY) * 1.6) / height, ((maxX - minX) * 1.6) / width);
    return { x0: (minX + maxX) / 2 - (width / 2) * mPerPx, y0: (minY + maxY) / 2 + (height / 2) * mPerPx, mPerPx, cos };
  }

  /** Every point inside the middle 80 % of the frame. @param {Frame} f */
  function holds(f) {
    return points.every((p) => {
      const { x, y } = project(f, p);
      return x > width * 0.1 && x < width * 0.9 && y > height * 0.1 && y < height * 0.9;
    });
  }

  /** The grid, the parks and the scale bar of a frame. @param {Frame} f */
  function drawGround(f) {
    /** @type {string[]} */
    const minor = [];
    /** @type {string[]} */
    const major = [];
    /** @type {string[]} */
    const parks = [];
    const left = f.x0;
    const top = f.y0;
    const right = left + width * f.mPerPx;
    const bottom = top - height * f.mPerPx;
    const isMain = (/** @type {number} */ m) => Math.round(m / STREET_M) % (MAIN_ROAD_M / STREET_M) === 0;
    for (let mx = Math.ceil(left / STREET_M) * STREET_M; mx <= right; mx += STREET_M) {
      const x = ((mx - left) / f.mPerPx).toFixed(1);
      (isMain(mx) ? major : minor).push(`M${x} 0V${height}`);
    }
    for (let my = Math.ceil(bottom / STREET_M) * STREET_M; my <= top; my += STREET_M) {
      const y = ((top - my) / f.mPerPx).toFixed(1);
      (isMain(my) ? major : minor).push(`M0 ${y}H${width}`);
    }
    // A few blocks are parks: the same blocks wherever the frame moves.
    const size = STREET_M / f.mPerPx;
    for (let mx = Math.floor(left / STREET_M) * STREET_M; mx < right; mx += STREET_M) {
      for (let my = Math.floor(bottom / STREET_M) * STREET_M; my < top; my += STREET_M) {
        const cell = Math.round(mx / STREET_M) * 7919 + Math.round(my / STREET_M) * 104729;
        if (((cell % 17) + 17) % 17 !== 0) continue;
        const x = (mx - left) / f.mPerPx + 4;
        const y = (top - my - STREET_M) / f.mPerPx + 4;
        parks.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(size - 8).toFixed(1)}" height="${(size - 8).toFixed(1)}" rx="5"/>`);
      }
    }
    streets.innerHTML = `<path class="minor" d="${minor.join('')}"/><path class="main-casing" d="${major.join('')}"/><path class="main" d="${major.join('')}"/>`;
    blocks.innerHTML = parks.join('');
    const metres = [100, 200, 500, 1000].find((m) => m / f.mPerPx >= 60) ?? 1000;
    const length = metres / f.mPerPx;
    scale.setAttribute('transform', `translate(16 ${height - 14})`);
    scaleBack.setAttribute('width', (length + 12).toFixed(1));
    scaleBar.setAttribute('d', `M0 -5V0H${length.toFixed(1)}V-5`);
    scaleText.textContent = metres >= 1000 ? `${metres / 1000} km` : `${metres} m`;
    north.setAttribute('transform', `translate(${width - 24} 30)`);
  }

  /** Where the dot is drawn now (it glides from there to the newest point). */
  let shown = { x: 0, y: 0 };
  let glide = 0;
  const reducedMotion =
    typeof matchMedia === 'function' ? matchMedia('(prefers-reduced-motion: reduce)') : { matches: false };

  /**
   * Draws the trail up to `tip` and the courier at `tip`.
   * @param {{ x: number, y: number }[]} xy the trail without its last point
   * @param {{ x: number, y: number }} tip
   */
  function place(xy, tip) {
    shown = tip;
    trail.setAttribute('points', [...xy, tip].map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' '));
    courier.setAttribute('transform', `translate(${tip.x.toFixed(1)} ${tip.y.toFixed(1)})`);
  }

  /**
   * Moves the trail, the start and the courier; with `animate`, the dot
   * (and the trail's end with it) glides from where it is to the newest
   * point, over about the time between two positions.
   * @param {boolean} animate
   */
  function drawCourier(animate) {
    if (!frame || points.length === 0) return;
    const f = frame;
    const xy = points.map((p) => project(f, p));
    const target = xy[xy.length - 1];
    const before = xy.slice(0, -1);
    start.setAttribute('cx', xy[0].x.toFixed(1));
    start.setAttribute('cy', xy[0].y.toFixed(1));
    start.style.display = xy.length > 1 ? '' : 'none';
    const heading = points[points.length - 1].heading;
    const hasHeading = typeof heading === 'number' && Number.isFinite(heading);
    arrow.setAttribute('transform', `rotate(${hasHeading ? heading : 0})`);
    arrow.style.display = hasHeading ? '' : 'none';
    cancelAnimationFrame(glide);
    if (!animate || reducedMotion.matches || typeof requestAnimationFrame !== 'function') {
      place(before, target);
      return;
    }
    const from = shown;
    const gap = points[points.length - 1].ts - points[points.length - 2].ts;
    const duration = Math.min(1200, Math.max(250, gap));
    const began = performance.now();
    const step = (/** @type {number} */ now) => {
      const t = Math.min(1, (now - began) / duration);
      place(before, { x: from.x + (target.x - from.x) * t, y: from.y + (target.y - from.y) * t });
      if (t < 1) glide = requestAnimationFrame(step);
    };
    glide = requestAnimationFrame(step);
  }

  /** Sizes the viewBox to the host; redraws when it changed. */
  function measure() {
    const w = Math.round(host.clientWidth);
    const hgt = Math.round(host.clientHeight);
    if (w < 40 || hgt < 40 || (w === width && hgt === height && svg.hasAttribute('viewBox'))) return false;
    width = w;
    height = hgt;
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    ground.setAttribute('width', String(width));
    ground.setAttribute('height', String(height));
    return true;
  }

  function redraw() {
    if (points.length > 0) {
      frame = fit();
      drawGround(frame);
      drawCourier(false);
    } else {
      // No position: a quiet piece of town as a placeholder.
      drawGround({ x0: 130, y0: 1370, mPerPx: 3, cos: 1 });
    }
  }

  if (typeof ResizeObserver === 'function') {
    new ResizeObserver(() => measure() && redraw()).observe(host);
  }

  return {
    /**
     * Shows `location` (or forgets the route when null).
     * @param {Position | null} location
     */
    update(location) {
      const resized = measure();
      if (location === null) {
        if (points.length > 0 || resized || !streets.hasChildNodes()) {
          points = [];
          frame = null;
          trail.setAttribute('points', '');
          redraw();
        }
        return;
      }
      const last = points[points.length - 1];
      if (last && last.ts >= location.ts && !resized) return;
      if (!last || last.ts < location.ts) {
        points.push({ lat: location.lat, lng: location.lng, ts: location.ts, heading: location.heading });
        if (points.length > MAX_TRAIL) points = points.slice(-MAX_TRAIL);
      }
      if (resized || !frame || !holds(frame)) {
        redraw();
        return;
      }
      drawCourier(points.length > 1);
    },
  };
}
