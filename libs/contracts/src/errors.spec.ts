import { OmtError, createTicketRequestSchema, errorEnvelopeSchema, parseOrThrow } from './index';

describe('parseOrThrow', () => {
  it('returns the parsed value when valid', () => {
    const body = {
      customerId: 'Cust12345',
      companyName: ' Acme ',
      serialNumber: '1234',
      environment: 'online',
      kind: 'test',
      salesRep: { name: 'Sam', email: 'sam@example.com' },
    };
    expect(parseOrThrow(createTicketRequestSchema, body).companyName).toBe('Acme');
  });

  it('throws VALIDATION_FAILED naming every bad field by its path', () => {
    let thrown: unknown;
    try {
      parseOrThrow(createTicketRequestSchema, { customerId: 'X1', salesRep: { email: 'nope' } }, 'ticket');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(OmtError);
    const envelope = (thrown as OmtError).toEnvelope();
    expect(errorEnvelopeSchema.parse(envelope)).toEqual(envelope);
    expect(envelope.code).toBe('VALIDATION_FAILED');
    const paths = envelope.details.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['customerId', 'companyName', 'salesRep.email', 'salesRep.name']));
    expect(envelope.message).toContain('ticket');
  });

  it('says "required" for a missing field and keeps the reason for a wrong one', () => {
    let thrown: unknown;
    try {
      parseOrThrow(
        createTicketRequestSchema,
        { customerId: 'Cust1', companyName: 7, salesRep: { email: 's@example.com' } },
        'ticket',
      );
    } catch (error) {
      thrown = error;
    }
    const details = (thrown as OmtError).details;
    expect(details).toEqual(
      expect.arrayContaining([
        { path: 'serialNumber', message: 'required' },
        { path: 'environment', message: 'required' },
        { path: 'kind', message: 'required' },
        { path: 'salesRep.name', message: 'required' },
      ]),
    );
    expect(details.find((d) => d.path === 'companyName')?.message).toMatch(/expected string, received number/);
    expect(details.some((d) => d.path === 'customerId')).toBe(false);
  });

  it('rejects unknown fields in a ticket request', () => {
    const result = createTicketRequestSchema.safeParse({
      customerId: 'Cust1',
      companyName: 'A',
      serialNumber: '1',
      environment: 'online',
      kind: 'live',
      salesRep: { name: 'S', email: 's@example.com' },
      admin: true,
    });
    expect(result.success).toBe(false);
  });
});
