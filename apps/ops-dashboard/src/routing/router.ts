import { useSyncExternalStore, type MouseEvent } from 'react';

/**
 * Two pages need no router library: the path lives in the address bar
 * (the API serves index.html for every non-API path, so links and reloads work).
 */
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export function navigate(path: string): void {
  if (path === window.location.pathname) return;
  window.history.pushState(null, '', path);
  for (const listener of listeners) listener();
  window.scrollTo(0, 0);
}

/** For `<a href onClick>`: a plain click navigates in place; modified clicks (new tab) stay the browser's. */
export function followLink(event: MouseEvent<HTMLAnchorElement>): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(event.currentTarget.pathname);
}

export type Route = { page: 'tickets' } | { page: 'ticket'; id: string } | { page: 'not-found'; path: string };

export function routeOf(path: string): Route {
  if (path === '/' || path === '/tickets') return { page: 'tickets' };
  const ticket = /^\/tickets\/([^/]+)$/.exec(path);
  if (ticket?.[1]) return { page: 'ticket', id: decodeURIComponent(ticket[1]) };
  return { page: 'not-found', path };
}

export const ticketHref = (id: string) => `/tickets/${encodeURIComponent(id)}`;
