/*
 * The raw material of `npm run demo`: associations of a Dortmund fair, the people who visit it, and a stand plan.
 * Every key below is one of the seeded vocabulary (migrations/0004, src/features/associations/vocabulary.ts);
 * the sign-up route checks them against the tables, so a typo here fails the demo loudly.
 * Email addresses use example.org/example.com (RFC 2606): nothing the outbox sends for the demo reaches a person.
 */

export interface DemoAssociation {
  name: string
  legalForm: string
  district: string
  fieldsOfActivity: string[]
  targetGroups: string[]
  languages: string[]
  migrantOrganization: boolean
  description: string
  /** the first member's name, who signs the association up */
  contact: string
}

const a = (
  name: string,
  district: string,
  fieldsOfActivity: string[],
  targetGroups: string[],
  languages: string[],
  migrantOrganization: boolean,
  contact: string,
  description: string,
  legalForm = 'e. V.',
): DemoAssociation => ({ name, legalForm, district, fieldsOfActivity, targetGroups, languages, migrantOrganization, description, contact })

export const ASSOCIATIONS: readonly DemoAssociation[] = [
  a('Türkischer Elternverein Nordstadt', 'innenstadt-nord', ['education', 'language'], ['parents', 'children'], ['de', 'tr'], true, 'Ayşe Demir', 'Hausaufgabenhilfe, Elterncafé und Beratung zur Schullaufbahn für Familien in der Nordstadt.'),
  a('Deutsch-Arabischer Kulturverein Dortmund', 'innenstadt-west', ['culture', 'arts'], ['migrants', 'youth'], ['de', 'ar'], true, 'Samir Haddad', 'Lesungen, Musikabende und Kalligrafie-Workshops; Brücken zwischen arabischer und deutscher Kultur.'),
  a('Sportverein Eving 1920', 'eving', ['sport', 'leisure'], ['children', 'youth'], ['de'], false, 'Jürgen Wiesner', 'Fußball, Turnen und Leichtathletik für alle Altersgruppen, seit über hundert Jahren im Stadtbezirk.'),
  a('Anadolu Kültür ve Dayanışma Derneği', 'innenstadt-nord', ['culture', 'neighbourhood'], ['migrants', 'seniors'], ['tr', 'de'], true, 'Mehmet Yıldız', 'Kulturverein mit Saz-Kursen, Volkstanz und einem offenen Treff für ältere Menschen.'),
  a('Syrisches Haus Dortmund', 'innenstadt-ost', ['counselling', 'integration'], ['refugees', 'parents'], ['ar', 'de', 'en'], true, 'Rania Al-Khatib', 'Beratung für Geflüchtete aus Syrien: Behördengänge, Anerkennung von Abschlüssen, Familiennachzug.'),
  a('Bürgerverein Hörde', 'hoerde', ['neighbourhood', 'environment'], ['seniors', 'parents'], ['de'], false, 'Ingrid Baumann', 'Stadtteilfeste, Aufräumaktionen am Phoenix-See und ein monatlicher Bürgerstammtisch.'),
  a('Interkultureller Frauentreff Scharnhorst', 'scharnhorst', ['integration', 'language'], ['women'], ['de', 'tr', 'ar', 'ru'], true, 'Fatma Aydın', 'Deutschkurse mit Kinderbetreuung, Nähwerkstatt und Frauenfrühstück in Scharnhorst-Ost.'),
  a('Marokkanischer Kultur- und Sportverein', 'innenstadt-nord', ['sport', 'culture'], ['youth'], ['ar', 'de', 'fr'], true, 'Youssef El Amrani', 'Futsal-Mannschaften, Ramadan-Iftar für die Nachbarschaft und Nachhilfe für Jugendliche.'),
  a('Chor Harmonie Aplerbeck', 'aplerbeck', ['arts', 'leisure'], ['seniors'], ['de'], false, 'Hans-Peter Kröger', 'Gemischter Chor mit Liedern aus aller Welt; neue Stimmen sind jederzeit willkommen.'),
  a('Türkisch-Deutscher Unternehmerverein Ruhr', 'innenstadt-west', ['education', 'integration'], ['jobseekers', 'youth'], ['tr', 'de'], true, 'Kemal Öztürk', 'Ausbildungsbörse, Mentoring für Gründerinnen und Gründer und Kontakte zu Betrieben.'),
  a('Irakischer Kulturverein Al-Rafidain', 'huckarde', ['culture', 'language'], ['children', 'migrants'], ['ar', 'de'], true, 'Ali Al-Saadi', 'Arabischunterricht für Kinder, Musik aus dem Zweistromland und Feste für die ganze Familie.'),
  a('Naturschutzgruppe Hombruch', 'hombruch', ['environment'], ['children', 'youth'], ['de', 'en'], false, 'Katrin Vogel', 'Krötenwanderung, Nistkästen und Bachpatenschaften im Dortmunder Süden.'),
  a('Alevitische Gemeinde Dortmund', 'innenstadt-ost', ['religion', 'culture'], ['parents', 'youth'], ['tr', 'de'], true, 'Hüseyin Kaya', 'Cem-Abende, Saz-Unterricht und interreligiöser Dialog mit den Nachbargemeinden.'),
  a('Palästinensische Gemeinde Dortmund', 'innenstadt-nord', ['culture', 'counselling'], ['parents', 'refugees'], ['ar', 'de'], true, 'Leila Nasser', 'Dabke-Tanzgruppe, Sozialberatung und ein Kulturprogramm zu Geschichte und Küche Palästinas.'),
  a('Kleingartenverein Am Brackeler Feld', 'brackel', ['environment', 'leisure'], ['parents', 'seniors'], ['de'], false, 'Manfred Schulte', 'Gemeinschaftsgarten, Schulgarten-Projekt und Tauschbörse für Saatgut.'),
  a('Verein für Integration und Bildung Huckarde', 'huckarde', ['education', 'integration'], ['children', 'migrants'], ['de', 'tr', 'ar'], true, 'Zeynep Arslan', 'Lernförderung, Sprachcafé und Begleitung von Familien beim Schulstart.'),
  a('Ägyptischer Kulturverein Nil', 'innenstadt-west', ['culture', 'leisure'], ['migrants'], ['ar', 'de', 'en'], true, 'Ahmed Mansour', 'Filmabende, Ausflüge und Feste zum koptischen und islamischen Kalender.'),
  a('Förderverein Stadtteilbibliothek Mengede', 'mengede', ['education', 'culture'], ['children', 'seniors'], ['de'], false, 'Renate Hoffmann', 'Vorlesestunden, Bücherflohmarkt und Lesepatenschaften an Grundschulen.'),
  a('Kurdisches Gemeinschaftszentrum Dortmund', 'innenstadt-nord', ['culture', 'counselling'], ['refugees', 'women'], ['ku', 'tr', 'de'], true, 'Rojda Baran', 'Newroz-Fest, Frauengruppe und Beratung für neu angekommene Familien.'),
  a('Jugendfeuerwehr Lütgendortmund', 'luetgendortmund', ['health', 'leisure'], ['youth'], ['de'], false, 'Tobias Lange', 'Brandschutzerziehung, Erste-Hilfe-Kurse und Zeltlager für Jugendliche ab zehn Jahren.'),
  a('Türkischer Sportverein Dortmund Gençlerbirliği', 'eving', ['sport'], ['youth', 'children'], ['tr', 'de'], true, 'Emre Çelik', 'Jugendfußball in sechs Altersklassen und Schwimmkurse für Mädchen.'),
  a('Libanesischer Verein Zedern', 'innenstadt-ost', ['culture', 'neighbourhood'], ['parents'], ['ar', 'fr', 'de'], true, 'Nadia Khoury', 'Kochabende, Sommerfest und Hausaufgabenbetreuung mit Ehrenamtlichen aus der Gemeinde.'),
  a('Seniorenbeirat Brackel', 'brackel', ['counselling', 'neighbourhood'], ['seniors'], ['de'], false, 'Gisela Brandt', 'Sprechstunden zu Pflege und Wohnen, Spaziergänge und ein Computerkurs für Ältere.', 'Initiative'),
  a('Bosnisch-Herzegowinischer Kulturverein', 'scharnhorst', ['culture', 'religion'], ['parents', 'youth'], ['bs', 'de'], true, 'Amra Hodžić', 'Folklore-Ensemble, Muttersprachunterricht und Gedenkveranstaltungen.'),
  a('Deutsch-Türkischer Freundeskreis Hombruch', 'hombruch', ['integration', 'leisure'], ['seniors', 'migrants'], ['de', 'tr'], false, 'Ursula Kern', 'Begegnungscafé, gemeinsame Ausflüge und Tandems für Deutsch und Türkisch.'),
  a('Sudanesische Gemeinde Ruhr', 'innenstadt-west', ['counselling', 'development-cooperation'], ['refugees', 'migrants'], ['ar', 'en', 'de'], true, 'Omar Abdelrahman', 'Beratung für Neuankommende und Schulpartnerschaften mit Gemeinden in Darfur.'),
  a('Tischtennisclub Aplerbeck 1958', 'aplerbeck', ['sport'], ['children', 'seniors'], ['de'], false, 'Werner Pohl', 'Mannschaftssport für Kinder ab acht, Rundlauf-Turniere und Tischtennis für Menschen mit Parkinson.'),
  a('Yeni Umut Kadın Derneği', 'eving', ['integration', 'counselling'], ['women', 'parents'], ['tr', 'de'], true, 'Hatice Şahin', 'Frauenverein: Sprachkurse, Gesundheitsabende und Begleitung zu Ämtern und Ärzten.'),
  a('Arabischer Elternverein Dortmund', 'innenstadt-nord', ['education', 'language'], ['parents', 'children'], ['ar', 'de'], true, 'Mona Ibrahim', 'Elternabende auf Arabisch zum deutschen Schulsystem und Arabisch-Samstagsschule.'),
  a('Posaunenchor Mengede', 'mengede', ['arts', 'religion'], ['youth', 'seniors'], ['de'], false, 'Friedhelm Rüter', 'Bläsermusik in Gottesdiensten, bei Stadtteilfesten und im Altenheim; Anfängerkurse für Kinder.'),
  a('Afghanischer Kulturverein Dortmund', 'huckarde', ['culture', 'language'], ['refugees', 'youth'], ['fa', 'ps', 'de'], true, 'Farid Rahimi', 'Dari- und Paschtu-Unterricht, Musik und Unterstützung junger Geflüchteter bei der Ausbildung.'),
  a('Queeres Netzwerk Dortmund', 'innenstadt-ost', ['anti-discrimination', 'counselling'], ['lgbtiq', 'youth'], ['de', 'en', 'tr', 'ar'], false, 'Jonas Albers', 'Mehrsprachige Beratung, Jugendgruppe und Aufklärung in Schulen.'),
  a('Tunesischer Verein Jasmin', 'scharnhorst', ['culture', 'leisure'], ['parents'], ['ar', 'fr', 'de'], true, 'Sami Ben Salah', 'Musik, Küche und Feste aus Tunesien; offener Treff jeden Freitag.'),
  a('Schachfreunde Innenstadt-Ost', 'innenstadt-ost', ['leisure', 'education'], ['children', 'seniors'], ['de', 'ru'], false, 'Dieter Brinkmann', 'Schach-AGs an drei Grundschulen und ein Generationenturnier im Winter.'),
  a('Türk Veli Birliği Dortmund', 'luetgendortmund', ['education'], ['parents', 'children'], ['tr', 'de'], true, 'Serkan Aksoy', 'Elternbund: Informationsabende zum Übergang in die weiterführende Schule, Lernpatenschaften.'),
  a('Jemenitische Gemeinschaft Dortmund', 'innenstadt-nord', ['counselling', 'culture'], ['refugees', 'parents'], ['ar', 'de'], true, 'Hana Al-Hamdani', 'Sozialberatung, Kochkurse und ein Kulturfest zum jemenitischen Kaffee.'),
  a('Radsportgemeinschaft Hörde', 'hoerde', ['sport', 'environment'], ['youth', 'seniors'], ['de'], false, 'Stefan Becker', 'Radtouren durch das Ruhrgebiet, Fahrradreparatur-Café und Verkehrstraining für Kinder.'),
  a('Deutsch-Syrischer Ärzteverein', 'innenstadt-west', ['health', 'counselling'], ['refugees', 'migrants'], ['ar', 'de', 'en'], true, 'Dr. Bassam Darwish', 'Gesundheitsberatung auf Arabisch, Vorträge zu Prävention und Hilfe bei der Anerkennung medizinischer Berufe.'),
  a('Mevlana Moschee- und Bildungsverein', 'eving', ['religion', 'education'], ['youth', 'parents'], ['tr', 'de', 'ar'], true, 'Osman Koç', 'Tag der offenen Moschee, Nachhilfe und Jugendarbeit im Stadtbezirk Eving.'),
  a('Inklusionssport Dortmund', 'hombruch', ['sport', 'health'], ['people-with-disabilities', 'youth'], ['de'], false, 'Miriam Lorenz', 'Rollstuhlbasketball, inklusives Schwimmen und Sport für Menschen mit und ohne Behinderung.'),
  a('Eritreische Gemeinde Dortmund', 'scharnhorst', ['culture', 'counselling'], ['refugees'], ['ti', 'ar', 'de'], true, 'Yonas Tesfay', 'Begleitung neu angekommener Familien, Kaffeezeremonie und Kulturabende.'),
  a('Karnevalsgesellschaft Blau-Weiß Brackel', 'brackel', ['leisure', 'arts'], ['children', 'parents'], ['de'], false, 'Heinz Schröder', 'Kinderkarneval, Tanzgarde und der Brackeler Rosenmontagsumzug.'),
  a('Türkisch-Islamische Gemeinde Hörde', 'hoerde', ['religion', 'neighbourhood'], ['seniors', 'parents'], ['tr', 'de'], true, 'Ahmet Güler', 'Gemeinde mit Seniorentreff, Kermes-Basar und Nachbarschaftsfrühstück.'),
  a('Algerischer Kulturverein Dortmund', 'innenstadt-west', ['culture', 'integration'], ['migrants', 'youth'], ['ar', 'fr', 'de'], true, 'Karim Benali', 'Rai- und Chaabi-Konzerte, Sprachtandems und Bewerbungstraining für junge Leute.'),
  a('Mieterinitiative Westerfilde', 'mengede', ['neighbourhood', 'counselling'], ['parents', 'seniors'], ['de', 'tr', 'ar'], false, 'Sabine Wolff', 'Mieterberatung, Hofflohmärkte und Einsatz für bezahlbares Wohnen.', 'Initiative'),
  a('Gençlik Merkezi Dortmund', 'innenstadt-nord', ['leisure', 'education'], ['youth'], ['tr', 'de'], true, 'Burak Polat', 'Jugendzentrum mit Musikstudio, Bewerbungswerkstatt und Sommerfreizeiten.'),
  a('Jordanisch-Deutsche Gesellschaft Ruhr', 'aplerbeck', ['culture', 'development-cooperation'], ['migrants'], ['ar', 'de', 'en'], true, 'Rami Qasem', 'Austausch mit Jordanien, Studierendenpatenschaften und Vorträge zu Wasser und Klima.'),
  a('Heimatverein Lütgendortmund', 'luetgendortmund', ['culture', 'neighbourhood'], ['seniors'], ['de'], false, 'Klaus Terhorst', 'Stadtteilgeschichte, Zechenführungen und das Heimatmuseum im alten Amtshaus.'),
  a('Irakisch-Kurdischer Frauenverein', 'huckarde', ['counselling', 'integration'], ['women', 'refugees'], ['ku', 'ar', 'de'], true, 'Shirin Mahmoud', 'Frauentreff mit Kinderbetreuung, Sprachkursen und psychosozialer Beratung.'),
  a('Türkischer Volkstanzverein Halay', 'scharnhorst', ['arts', 'culture'], ['youth', 'children'], ['tr', 'de'], true, 'Elif Doğan', 'Volkstanzgruppen für Kinder und Jugendliche, Auftritte auf Stadtfesten.'),
  a('Freundeskreis Flüchtlingshilfe Hombruch', 'hombruch', ['integration', 'counselling'], ['refugees'], ['de', 'en', 'ar'], false, 'Andrea Niemann', 'Patenschaften, Fahrradwerkstatt und Begleitung bei Wohnungs- und Arbeitssuche.'),
  a('Somalische Gemeinde Dortmund', 'innenstadt-nord', ['education', 'counselling'], ['youth', 'parents'], ['so', 'ar', 'de'], true, 'Abdi Warsame', 'Lernhilfe, Elternberatung und Fußball für Jugendliche.'),
  a('Musikschule Anatolische Klänge', 'innenstadt-ost', ['arts', 'education'], ['children', 'youth'], ['tr', 'de'], true, 'Deniz Kurt', 'Unterricht in Bağlama, Ney und Darbuka; Ensemblearbeit und Konzerte.'),
  a('Tafel-Helferkreis Eving', 'eving', ['counselling', 'neighbourhood'], ['seniors', 'jobseekers'], ['de', 'tr'], false, 'Petra Fischer', 'Lebensmittelausgabe, Kleiderkammer und ein offener Mittagstisch.'),
  a('Sudanesisch-Deutscher Jugendverein', 'brackel', ['leisure', 'anti-discrimination'], ['youth'], ['ar', 'de', 'en'], true, 'Malik Osman', 'Basketball, Workshops gegen Rassismus und Austausch mit Schulen.'),
  a('Deutsch-Marokkanische Gesellschaft Dortmund', 'hoerde', ['integration', 'development-cooperation'], ['migrants', 'jobseekers'], ['ar', 'fr', 'de'], true, 'Samira Bouzid', 'Berufsorientierung, Bildungsreisen und Projekte mit Partnergemeinden im Rif.'),
  a('Frauenverein Gül Bahçesi', 'luetgendortmund', ['health', 'leisure'], ['women', 'seniors'], ['tr', 'de'], true, 'Sevgi Erdem', 'Gymnastik, Gesundheitsvorträge und Handarbeitskreis für Frauen.'),
  a('Umweltwerkstatt Nordstadt', 'innenstadt-nord', ['environment', 'education'], ['children', 'youth'], ['de', 'tr', 'ar'], false, 'Lukas Brenner', 'Reparaturcafé, Urban Gardening auf dem Nordmarkt und Klimaprojekte mit Schulklassen.'),
  a('Arabisch-Deutsches Kinderhaus Al-Amal', 'mengede', ['education', 'language'], ['children', 'parents'], ['ar', 'de'], true, 'Salma Yousef', 'Spielgruppe zweisprachig, Lesepaten und Elternkurse zur frühen Förderung.'),
  a('Boxclub Westfalia Dortmund', 'innenstadt-west', ['sport', 'anti-discrimination'], ['youth', 'jobseekers'], ['de', 'tr', 'ar'], false, 'Marco Rinaldi', 'Boxtraining als Jugendarbeit: Disziplin, Hausaufgabenhilfe und Bewerbungscoaching.'),
]

/** Visitors' names, each with the language their emails come in; Arabic names sometimes in Arabic script. */
export const FIRST_NAMES = {
  de: ['Anna', 'Lena', 'Sophie', 'Marie', 'Julia', 'Laura', 'Katharina', 'Sabine', 'Petra', 'Monika', 'Lukas', 'Jonas', 'Felix', 'Maximilian', 'Paul', 'Thomas', 'Michael', 'Andreas', 'Stefan', 'Jürgen', 'Günter', 'Björn', 'Jörg', 'Sören', 'Änne'],
  tr: ['Ayşe', 'Fatma', 'Zeynep', 'Elif', 'Emine', 'Hatice', 'Merve', 'Büşra', 'Özlem', 'Gülşen', 'Mehmet', 'Mustafa', 'Ahmet', 'Ali', 'Hüseyin', 'Hasan', 'İbrahim', 'Murat', 'Emre', 'Burak', 'Çağrı', 'Oğuz', 'Şükrü', 'Ümit', 'Cem'],
  ar: [['Fatima', 'فاطمة'], ['Mariam', 'مريم'], ['Aisha', 'عائشة'], ['Nour', 'نور'], ['Layla', 'ليلى'], ['Huda', 'هدى'], ['Rania', 'رانيا'], ['Salma', 'سلمى'], ['Yasmin', 'ياسمين'], ['Amal', 'أمل'], ['Mohammed', 'محمد'], ['Ahmad', 'أحمد'], ['Omar', 'عمر'], ['Youssef', 'يوسف'], ['Khaled', 'خالد'], ['Hassan', 'حسن'], ['Ibrahim', 'إبراهيم'], ['Karim', 'كريم'], ['Tarek', 'طارق'], ['Samir', 'سمير']],
} as const

export const LAST_NAMES = {
  de: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Schäfer', 'Koch', 'Bauer', 'Richter', 'Klein', 'Wolf', 'Schröder', 'Neumann', 'Schwarz', 'Zimmermann', 'Krüger', 'Hartmann', 'Lange', 'Köhler', 'Brinkmann'],
  tr: ['Yılmaz', 'Kaya', 'Demir', 'Şahin', 'Çelik', 'Yıldız', 'Yıldırım', 'Öztürk', 'Aydın', 'Özdemir', 'Arslan', 'Doğan', 'Kılıç', 'Aslan', 'Çetin', 'Kara', 'Koç', 'Kurt', 'Özkan', 'Şimşek', 'Güneş', 'Aksoy', 'Erdoğan', 'Polat', 'Türkmen'],
  ar: [['Haddad', 'حداد'], ['Khoury', 'خوري'], ['Nasser', 'ناصر'], ['Mansour', 'منصور'], ['Al-Masri', 'المصري'], ['Ibrahim', 'إبراهيم'], ['Hamdan', 'حمدان'], ['Saleh', 'صالح'], ['Yousef', 'يوسف'], ['Abdallah', 'عبد الله'], ['Darwish', 'درويش'], ['Al-Ali', 'العلي'], ['Qasem', 'قاسم'], ['Haddadin', 'حدادين'], ['Suleiman', 'سليمان'], ['Awad', 'عوض'], ['Othman', 'عثمان'], ['Farouk', 'فاروق'], ['Zaki', 'زكي'], ['Barakat', 'بركات']],
} as const

/** Reasons an organizer gives for a rejection or the waitlist (the association reads them in its email). */
export const REJECT_REASONS = [
  'Die Anmeldung kam nach Ablauf der Frist für den Infostand; gern im nächsten Jahr.',
  'Ihr Angebot ist überwiegend kommerziell; die Messe ist gemeinnützigen Vereinen vorbehalten.',
  'Die angegebene Satzung und die Eintragung ins Vereinsregister fehlen noch.',
  'Für Ihr Thema ist bereits ein Dachverband mit gemeinsamem Stand vertreten; bitte wenden Sie sich an ihn.',
]
export const WAITLIST_REASONS = [
  'Alle Stände mit Stromanschluss sind vergeben; sobald einer frei wird, melden wir uns.',
  'Die Halle ist voll belegt; Sie stehen auf der Warteliste.',
]

/** Stand plan: three areas of the Dietrich-Keuning-Haus, laid out in rows on a plan measured in centimetres. */
export const STAND_AREAS = [
  { prefix: 'A', area: 'Halle A', columns: 8, origin: { x: 0, y: 0 }, widthM: 3, depthM: 2, priceCents: 0 },
  { prefix: 'B', area: 'Halle B', columns: 6, origin: { x: 0, y: 1200 }, widthM: 3, depthM: 3, priceCents: 2500 },
  { prefix: 'F', area: 'Foyer', columns: 6, origin: { x: 3000, y: 0 }, widthM: 2, depthM: 2, priceCents: 0 },
] as const

/** The program's rooms. */
export const PROGRAM_ROOMS = [
  { name: 'Saal 1 (Bühne)', capacity: 20, accessible: true },
  { name: 'Seminarraum 2', capacity: 20, accessible: true, notes: 'Beamer, Flipchart' },
  { name: 'Werkstatt', capacity: 20, accessible: false },
]

/** A forum per theme (a field of activity of the vocabulary). */
export const PROGRAM_THEMES = [
  { topic: 'education', title: 'Forum Elternvereine: Mitreden in Schule und Kita' },
  { topic: 'culture', title: 'Forum Kultur: Vereine auf der Bühne der Nordstadt' },
  { topic: 'sport', title: 'Forum Sport: Ehrenamt im Verein gewinnen' },
  { topic: 'integration', title: 'Forum Integration: Migrantenorganisationen als Brücke' },
  { topic: 'language', title: 'Workshop Sprachcafé: Deutsch lernen im Verein' },
  { topic: 'health', title: 'Forum Gesundheit: Beratung in vielen Sprachen' },
  { topic: 'environment', title: 'Forum Umwelt: Klimaschutz im Quartier' },
  { topic: 'neighbourhood', title: 'Workshop Nachbarschaft: Feste gemeinsam planen' },
  { topic: 'anti-discrimination', title: 'Forum Antidiskriminierung: Beratung und Empowerment' },
] as const
