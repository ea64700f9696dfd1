/** A valid sign-up body (POST /v1/associations) with a fresh email; override what the test is about. */
let n = 0

export function signUpBody(overrides: { association?: Record<string, unknown>; contact?: Record<string, unknown> } = {}) {
  n++
  return {
    association: {
      name: `Kulturverein Nordstadt ${n}`,
      legalForm: 'e. V.',
      district: 'innenstadt-nord',
      address: 'Münsterstraße 1, 44145 Dortmund',
      website: 'https://kulturverein.example.org',
      description: 'Musik, Theater und Nachbarschaft in der Nordstadt.',
      fieldsOfActivity: ['culture', 'neighbourhood'],
      targetGroups: ['youth', 'parents'],
      languages: ['de', 'tr'],
      migrantOrganization: true,
      contactPhone: '+49 231 123456',
      registerNumber: 'VR 1234',
      ...overrides.association,
    },
    contact: { name: 'Ayşe Yılmaz', email: `ayse-${n}-${process.pid}@example.org`, password: 'correct horse battery', ...overrides.contact },
  }
}

