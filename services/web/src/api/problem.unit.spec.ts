import { describe, expect, it } from 'vitest';
import { fieldErrorsOf, problemOf, unplacedFieldErrors } from './problem';

describe('problem documents', () => {
  const validation = {
    type: 'urn:twinning:problem:validation',
    title: 'Invalid request',
    status: 400,
    code: 'TWN_ERR_VALIDATION',
    detail: '2 invalid fields',
    errors: [
      { path: 'body.terms.title', message: 'Too small' },
      { path: 'body.terms.title', message: 'Required' },
      { path: 'body.signatory.name', message: 'Required' },
      { path: 'querystring.limit', message: 'Too big' },
      { path: 42, message: 'not a field error' },
    ],
  };

  it('reads title, detail, code, reason and allowed commands', () => {
    const problem = problemOf(
      409,
      {
        title: 'The lifecycle does not allow this command now',
        code: 'TWN_ERR_COMMAND_REJECTED',
        reason: 'TERMS_NOT_AGREED',
        detail: 'both parties must first accept the same terms',
        allowedCommands: ['AcceptTerms', 7],
      },
      'fallback',
    );
    expect(problem).toEqual({
      status: 409,
      title: 'The lifecycle does not allow this command now',
      code: 'TWN_ERR_COMMAND_REJECTED',
      reason: 'TERMS_NOT_AGREED',
      detail: 'both parties must first accept the same terms',
      allowedCommands: ['AcceptTerms'],
    });
  });

  it('still gives a problem for a body that is not one', () => {
    expect(problemOf(502, '<html>Bad gateway</html>', 'The server answered unexpectedly')).toEqual({
      status: 502,
      title: 'The server answered unexpectedly',
    });
  });

  it('puts field errors beside the form’s own fields, joining several for one field', () => {
    const problem = problemOf(400, validation, 'fallback');
    expect(fieldErrorsOf(problem)).toEqual({
      'terms.title': 'Too small; Required',
      'signatory.name': 'Required',
    });
    expect(unplacedFieldErrors(problem, ['terms.title'])).toEqual([
      { path: 'body.signatory.name', message: 'Required' },
      { path: 'querystring.limit', message: 'Too big' },
    ]);
  });
});
