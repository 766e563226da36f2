import { routeOf, ticketHref } from './router';

describe('routeOf', () => {
  it('knows the list, a ticket and nothing else', () => {
    expect(routeOf('/')).toEqual({ page: 'tickets' });
    expect(routeOf('/tickets')).toEqual({ page: 'tickets' });
    expect(routeOf(ticketHref('4b2e-9'))).toEqual({ page: 'ticket', id: '4b2e-9' });
    expect(routeOf('/tickets/a/b')).toEqual({ page: 'not-found', path: '/tickets/a/b' });
  });
});
